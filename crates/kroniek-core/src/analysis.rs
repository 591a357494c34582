//! The annotation pipeline: one document in, its stand-off annotations out.

use crate::document::Document;
use crate::entities::{self, EntityMention};
use crate::lang::{self, Lang};
use crate::span::Span;
use crate::syntax::{SyntaxModel, TokenSyntax};
use crate::text::{self, Sentence, Token};
use crate::timex::{self, Timex};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; the analysis is complete.
    Info,
    /// Something was skipped or guessed.
    Warning,
}

/// Something odd about the input, reported instead of failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious.
    pub severity: Severity,
    /// A short machine-readable code (`empty-text`, `no-language-resources`, …).
    pub code: &'static str,
    /// A lower-case human message.
    pub message: String,
    /// Where in the text, if the problem is local.
    pub span: Option<Span>,
}

impl Diagnostic {
    fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            code,
            message: message.into(),
            span: None,
        }
    }
}

/// Everything kroniek found in one document.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The language the document was analysed as (declared, else detected).
    pub language: Option<Lang>,
    /// All tokens, in text order.
    pub tokens: Vec<Token>,
    /// Sentences, in text order, covering all tokens.
    pub sentences: Vec<Sentence>,
    /// Time expressions (TIMEX3), in text order.
    pub timexes: Vec<Timex>,
    /// Named-entity mentions, in text order, each with its within-document entity key.
    pub entities: Vec<EntityMention>,
    /// Numbers with unit and bound (layer `quantity`).
    pub quantities: Vec<crate::quantity::Quantity>,
    /// Who says what (layer `attribution`).
    pub attributions: Vec<crate::attribution::Attribution>,
    /// Event mentions with type, factuality and source (layer `event`).
    pub events: Vec<crate::events::EventMention>,
    /// What was odd about the input.
    pub diagnostics: Vec<Diagnostic>,
    /// Part of speech, lemma and dependency of every token (same order as `tokens`), when
    /// asked for ([`AnnotateOptions::syntax`]) and the language has a model. Heads are 1-based
    /// within the sentence (0: root); [`Analysis::head_index`] gives the token index.
    pub syntax: Option<Vec<TokenSyntax>>,
}

/// What [`annotate_with`] should compute beyond the basics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnotateOptions {
    /// Tag and parse every sentence (fills [`Analysis::syntax`]).
    pub syntax: bool,
    /// Which dependency parser [`AnnotateOptions::syntax`] uses.
    pub parser: ParserChoice,
}

/// The dependency parser of [`annotate_with`] with syntax on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ParserChoice {
    /// The fast pipeline parser (`models/<lang>/neural-fast.bin`,
    /// [`SyntaxModel::fast_for_language`]): a small network on the tagger's first pass,
    /// which the pipeline computes anyway; the accurate one where a language has none.
    #[default]
    Fast,
    /// The accurate parser of `kroniek parse` ([`SyntaxModel::for_language`]): two tagger
    /// passes and fine tags, a larger network; several times slower.
    Accurate,
}

impl ParserChoice {
    /// `fast` or `accurate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParserChoice::Fast => "fast",
            ParserChoice::Accurate => "accurate",
        }
    }

    /// From [`ParserChoice::as_str`]'s names.
    pub fn parse(s: &str) -> Option<ParserChoice> {
        match s {
            "fast" => Some(ParserChoice::Fast),
            "accurate" => Some(ParserChoice::Accurate),
            _ => None,
        }
    }
}

/// One annotation in a uniform shape, for storage and display: a layer name, a span,
/// a label and named attributes.
///
/// Every layer flattens to this, so the store and the JSON output need no change when a
/// layer is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Layer name: `sentence`, `timex`, `entity`, …
    pub layer: &'static str,
    /// Where in the text.
    pub span: Span,
    /// The main label (a TIMEX3 type, an entity type, …); may be empty.
    pub label: String,
    /// Further attributes (`value`, `mod`, …).
    pub attrs: Vec<(&'static str, String)>,
}

impl Analysis {
    /// The index in `tokens` of the syntactic head of token `i`; `None` for a root, or
    /// without syntax.
    pub fn head_index(&self, i: usize) -> Option<usize> {
        let head = self.syntax.as_ref()?.get(i)?.head as usize;
        if head == 0 {
            return None;
        }
        let sentence = self.sentences.iter().find(|s| s.tokens.contains(&i))?;
        Some(sentence.tokens.start + head - 1)
    }

    /// The storable layers of the analysis, in a uniform shape, ordered by layer and position.
    ///
    /// Tokens are not included: they are cheap to recompute and would dominate storage.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out = Vec::with_capacity(self.sentences.len());
        for s in &self.sentences {
            out.push(Annotation {
                layer: "sentence",
                span: s.span,
                label: String::new(),
                attrs: Vec::new(),
            });
        }
        for t in &self.timexes {
            let mut attrs = vec![("value", t.value.clone())];
            if let Some(m) = t.modifier {
                attrs.push(("mod", m.to_string()));
            }
            // An open end (a duration, "binnenkort") has no bound rather than an empty one.
            if let Some(d) = t.earliest {
                attrs.push(("earliest", d.to_string()));
            }
            if let Some(d) = t.latest {
                attrs.push(("latest", d.to_string()));
            }
            out.push(Annotation {
                layer: "timex",
                span: t.span,
                label: t.kind.as_str().to_string(),
                attrs,
            });
        }
        for e in &self.entities {
            out.push(Annotation {
                layer: "entity",
                span: e.span,
                label: e.etype.as_str().to_string(),
                attrs: vec![("key", e.key.clone())],
            });
        }
        for q in &self.quantities {
            let mut attrs = vec![
                ("value", format_value(q.value)),
                ("bound", q.bound.as_str().to_string()),
            ];
            if let Some(u) = &q.unit {
                attrs.push(("unit", u.clone()));
            }
            if let Some(a) = q.source.and_then(|k| self.attributions.get(k)) {
                let who = a.name.unwrap_or(a.source);
                attrs.push(("source", format!("{}-{}", who.start, who.end)));
            }
            // The store returns attributes sorted by name; emit them that way.
            attrs.sort_by_key(|a| a.0);
            out.push(Annotation {
                layer: "quantity",
                span: q.span,
                label: q.unit.clone().unwrap_or_default(),
                attrs,
            });
        }
        for a in &self.attributions {
            let mut attrs = vec![
                ("kind", a.kind.as_str().to_string()),
                ("cue", format!("{}-{}", a.cue.start, a.cue.end)),
                ("source", format!("{}-{}", a.source.start, a.source.end)),
            ];
            if let Some(n) = a.name {
                attrs.push(("name", format!("{}-{}", n.start, n.end)));
            }
            let scope: Vec<String> = a
                .scope
                .iter()
                .map(|s| format!("{}-{}", s.start, s.end))
                .collect();
            attrs.push(("scope", scope.join(",")));
            if let Some(k) = &a.entity {
                attrs.push(("entity", k.clone()));
            }
            attrs.sort_by_key(|a| a.0);
            out.push(Annotation {
                layer: "attribution",
                span: a.source,
                label: a.kind.as_str().to_string(),
                attrs,
            });
        }
        for e in &self.events {
            use crate::events::Role;
            let f = e.factuality;
            let mut attrs = vec![
                ("type", e.kind.to_string()),
                ("lemma", e.lemma.clone()),
                ("certainty", f.certainty.as_str().to_string()),
                ("polarity", f.polarity.as_str().to_string()),
                ("time", f.time.as_str().to_string()),
            ];
            if let Some(a) = e.source.and_then(|k| self.attributions.get(k)) {
                let who = a.name.unwrap_or(a.source);
                attrs.push(("source", format!("{}-{}", who.start, who.end)));
            }
            match e.anchor {
                Some(t) => attrs.push(("anchor", format!("{}-{}", t.start, t.end))),
                None => attrs.push((
                    "anchor",
                    if f.time == crate::events::EventTime::Future {
                        "after-publication"
                    } else {
                        "before-publication"
                    }
                    .to_string(),
                )),
            }
            for role in [Role::Agent, Role::Patient, Role::Other] {
                let spans: Vec<String> = e
                    .participants
                    .iter()
                    .filter(|p| p.0 == role)
                    .map(|p| format!("{}-{}", p.1.start, p.1.end))
                    .collect();
                if !spans.is_empty() {
                    attrs.push((role.as_str(), spans.join(",")));
                }
            }
            if let Some(p) = e.place {
                attrs.push(("place", format!("{}-{}", p.start, p.end)));
            }
            attrs.sort_by_key(|a| a.0);
            out.push(Annotation {
                layer: "event",
                span: e.span,
                label: e.kind.to_string(),
                attrs,
            });
        }
        out
    }
}

/// Participants, place and lemma of events from the dependency parse: dependents of the
/// trigger with a participant relation; a dependent inside a named entity stands for the
/// whole mention, and an oblique inside a LOC mention is the place. Failing that, a LOC
/// modifier (`nmod`) of the subject or object is the place, a participant of role other:
/// "Trump ontmoette Poetin in Helsinki" is one PP attachment away from "Poetin in
/// Helsinki", and "attacked the embassy in Kabul" happened in Kabul.
fn attach_participants(
    events: &mut [crate::events::EventMention],
    syn: &[crate::syntax::TokenSyntax],
    tokens: &[Token],
    sentences: &[Sentence],
    entities: &[EntityMention],
) {
    use crate::events::Role;
    for e in events.iter_mut() {
        let t = e.tokens.start;
        let Some(s) = sentences.get(e.sentence) else {
            continue;
        };
        if let Some(x) = syn.get(t) {
            e.lemma = x.lemma.to_lowercase();
        }
        let head_of = |j: usize| {
            syn.get(j)
                .filter(|x| x.head != 0)
                .map(|x| s.tokens.start + x.head as usize - 1)
        };
        let loc_mention = |tok: Span| {
            entities
                .iter()
                .find(|m| m.span.contains(tok) && m.etype.as_str() == "LOC")
        };
        let mut arguments = Vec::new();
        for j in s.tokens.clone() {
            let Some(x) = syn.get(j) else { continue };
            if head_of(j) != Some(t) {
                continue;
            }
            let Some(role) = Role::from_deprel(x.deprel) else {
                continue;
            };
            let tok = tokens[j].span;
            let mention = entities.iter().find(|m| m.span.contains(tok));
            let span = mention.map_or(tok, |m| m.span);
            if role == Role::Other && loc_mention(tok).is_some() {
                e.place.get_or_insert(span);
            }
            if role != Role::Other {
                arguments.push(j);
            }
            e.participants.push((role, span));
        }
        if e.place.is_some() {
            continue;
        }
        for j in s.tokens.clone() {
            let Some(x) = syn.get(j) else { continue };
            let under_argument = head_of(j).is_some_and(|h| arguments.contains(&h));
            if !under_argument || !x.deprel.starts_with("nmod") {
                continue;
            }
            if let Some(m) = loc_mention(tokens[j].span) {
                // Not a place inside the argument's own name ("Bank of England").
                if arguments.iter().any(|&a| m.span.contains(tokens[a].span)) {
                    continue;
                }
                e.place = Some(m.span);
                e.participants.push((Role::Other, m.span));
                break;
            }
        }
    }
}

/// A number without a spurious fraction: `1500`, `9600000000`, `14.5`.
fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Annotates one document. Pure and deterministic; never fails.
pub fn annotate(doc: &Document) -> Analysis {
    annotate_with(doc, &AnnotateOptions::default())
}

/// Annotates one document with options. Pure and deterministic; never fails.
pub fn annotate_with(doc: &Document, options: &AnnotateOptions) -> Analysis {
    annotate_batch(std::slice::from_ref(doc), options)
        .pop()
        .unwrap_or_default()
}

/// Documents that [`annotate_batch`] callers should hand over at a time: enough for every
/// stage to find its model tables still in the CPU caches from the document before (the
/// stages run one after another over the batch), few enough to keep memory small.
pub const ANNOTATE_BATCH: usize = 32;

/// Annotates several documents, each exactly as [`annotate_with`] would, in the same
/// order. Faster per document: each stage (time, entities, tagging, parsing, events) runs
/// over the whole batch before the next, so its lexicons and weights stay in the CPU caches
/// instead of being evicted by the other stages' at every document, and the parser fills
/// its sentence batches across documents. Memory grows with the batch: give it about
/// [`ANNOTATE_BATCH`] documents at a time.
pub fn annotate_batch<D: std::borrow::Borrow<Document>>(
    docs: &[D],
    options: &AnnotateOptions,
) -> Vec<Analysis> {
    let mut work: Vec<Work> = docs.iter().map(|d| Work::new(d.borrow())).collect();
    for w in &mut work {
        w.timexes = w
            .language
            .map(|l| timex::tag(&w.doc.text, l, w.doc.published))
            .unwrap_or_default();
    }
    for w in &mut work {
        w.find_entities();
    }
    let model_of = |l: Lang| match options.parser {
        ParserChoice::Fast => SyntaxModel::fast_for_language(l),
        ParserChoice::Accurate => SyntaxModel::for_language(l),
    };
    // The tagger's first pass: the POS tags of quantities and events without a parse,
    // and the fast parser's input (the accurate one tags twice on its own).
    for w in &mut work {
        w.first_pass = match w.language.and_then(model_of) {
            Some(m) if options.syntax && !m.is_first_pass() => None,
            _ => crate::events::first_pass_tags_and_words(
                &w.doc.text,
                &w.tokens,
                &w.sentences,
                w.seg_lang,
            )
            .map(|(tags, words)| {
                w.words = Some(words);
                tags
            }),
        };
    }
    if options.syntax {
        parse_all(&mut work, model_of);
    }
    work.into_iter().map(|w| w.finish()).collect()
}

/// One document on its way through [`annotate_batch`]'s stages.
struct Work<'a> {
    doc: &'a Document,
    diagnostics: Vec<Diagnostic>,
    language: Option<Lang>,
    /// The language tokenisation and the taggers follow (English when unknown).
    seg_lang: Lang,
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    timexes: Vec<Timex>,
    entities: Vec<EntityMention>,
    first_pass: Option<Vec<crate::syntax::Upos>>,
    /// The tokens' ids in the events stage's word cache, from the first tagger pass.
    words: Option<crate::events::WordIds>,
    syntax: Option<Vec<TokenSyntax>>,
}

impl<'a> Work<'a> {
    /// Language, diagnostics about the input, tokens and sentences.
    fn new(doc: &'a Document) -> Work<'a> {
        let mut diagnostics = Vec::new();
        if doc.text.trim().is_empty() {
            diagnostics.push(Diagnostic::warning(
                "empty-text",
                "the document has no text",
            ));
        }
        let language = doc.language.or_else(|| {
            // Detect on title and body together: the title is often the most typical text.
            let detected = match &doc.title {
                Some(title) => lang::detect(&format!(
                    "{title}\n{}",
                    lang::prefix_at_char_boundary(&doc.text, 4096)
                )),
                None => lang::detect(&doc.text),
            };
            if detected.is_none() && !doc.text.trim().is_empty() {
                diagnostics.push(Diagnostic::warning(
                    "language-unknown",
                    "the language could not be detected",
                ));
            }
            detected
        });
        if let Some(l) = language {
            if !l.has_resources() {
                diagnostics.push(Diagnostic::warning(
                    "no-language-resources",
                    format!(
                        "kroniek has no resources for language '{l}'; only generic analysis was done"
                    ),
                ));
            }
        }
        if doc.published.is_unknown() {
            diagnostics.push(Diagnostic::warning(
                "unknown-publication-date",
                "the publication date is unknown; relative time expressions cannot be resolved",
            ));
        }
        let seg_lang = language.unwrap_or(Lang::EN);
        let tokens = text::tokenize(&doc.text, seg_lang);
        let sentences = text::sentences(&doc.text, &tokens);
        Work {
            doc,
            diagnostics,
            language,
            seg_lang,
            tokens,
            sentences,
            timexes: Vec::new(),
            entities: Vec::new(),
            first_pass: None,
            words: None,
            syntax: None,
        }
    }

    fn find_entities(&mut self) {
        let Some(l) = self.language else { return };
        if let Some(tagger) = crate::ner::tagger(l) {
            let names =
                crate::ner::recognize(l, tagger, &self.doc.text, &self.tokens, &self.sentences);
            self.entities = entities::link(&self.doc.text, &names).mentions;
        } else if let Some(e) = crate::ner::load_error(l) {
            self.diagnostics
                .push(Diagnostic::warning("ner-model-invalid", e.to_string()));
        }
    }

    /// The cheap stages that read the others' results: quantities, attribution, events.
    fn finish(self) -> Analysis {
        let Work {
            doc,
            diagnostics,
            language,
            seg_lang,
            tokens,
            sentences,
            timexes,
            entities,
            first_pass,
            words,
            syntax,
        } = self;
        let timex_spans: Vec<crate::span::Span> = timexes.iter().map(|t| t.span).collect();
        // POS tags for quantities and events: the parse's when there is one, else the
        // tagger's first pass (what the events stage used to compute for itself).
        let upos: Option<Vec<crate::syntax::Upos>> = match &syntax {
            Some(syn) => Some(syn.iter().map(|t| t.upos).collect()),
            None => first_pass,
        };
        let mut quantities =
            crate::quantity::find_tagged(&doc.text, &tokens, &sentences, seg_lang, upos.as_deref());
        // A number inside a time expression is the time layer's ("scheduled for May 22 before
        // the court" is no quantity "22 before").
        quantities.retain(|q| !timex_spans.iter().any(|t| t.overlaps(q.number)));
        let mut attributions = crate::attribution::find(&doc.text, &tokens, &sentences, seg_lang);
        // Link each source to the last named entity inside its phrase ("de Britse zender BBC").
        for a in &mut attributions {
            a.entity = entities
                .iter()
                .filter(|e| a.source.contains(e.span))
                .max_by_key(|e| e.span.start)
                .map(|e| e.key.clone());
        }
        crate::attribution::resolve_pronouns(
            &doc.text,
            &sentences,
            &mut attributions,
            &entities,
            seg_lang,
        );
        for q in &mut quantities {
            q.source = crate::attribution::covering(&attributions, q.span);
        }
        let mut events = match &upos {
            Some(u) => crate::events::find_tagged_words(
                &doc.text,
                &tokens,
                &sentences,
                seg_lang,
                &attributions,
                &timex_spans,
                u,
                words.as_ref(),
            ),
            None => crate::events::find(
                &doc.text,
                &tokens,
                &sentences,
                seg_lang,
                &attributions,
                &timex_spans,
            ),
        };
        if let Some(syn) = &syntax {
            attach_participants(&mut events, syn, &tokens, &sentences, &entities);
        }
        // An event anchored to a time expression that lies wholly after publication is FUTURE.
        if let Some(published) = doc.published.latest() {
            for e in &mut events {
                let after = e
                    .anchor
                    .and_then(|a| timexes.iter().find(|t| t.span == a))
                    .and_then(|t| t.earliest)
                    .is_some_and(|d| d > published);
                if after {
                    e.factuality.time = crate::events::EventTime::Future;
                }
            }
        }
        Analysis {
            language,
            tokens,
            sentences,
            timexes,
            entities,
            quantities,
            attributions,
            events,
            diagnostics,
            syntax,
        }
    }
}

/// Sentences parsed together ([`SyntaxModel::analyse_batch`]).
const SYNTAX_BATCH: usize = 16;

/// Fills [`Work::syntax`] for every document of a language with a model (a warning for the
/// others). Sentences are parsed [`SYNTAX_BATCH`] at a time across document boundaries:
/// a neural parser encodes a batch together (faster per token; the trees do not depend
/// on the batch), and the batches are bounded so that a huge document stays in bounded
/// memory.
fn parse_all<'m>(work: &mut [Work], model_of: impl Fn(Lang) -> Option<&'m SyntaxModel>) {
    // Documents of one model in a row share batches; a change of model starts new ones.
    let mut start = 0;
    while start < work.len() {
        let model = work[start].language.and_then(&model_of);
        let mut end = start + 1;
        while end < work.len()
            && work[end]
                .language
                .and_then(&model_of)
                .map(|m| m as *const SyntaxModel)
                == model.map(|m| m as *const SyntaxModel)
        {
            end += 1;
        }
        let group = &mut work[start..end];
        match model {
            Some(model) => parse_group(group, model),
            None => {
                for w in group {
                    w.diagnostics.push(Diagnostic::warning(
                        "no-syntax-model",
                        "there is no syntax model for this language; syntax was skipped",
                    ));
                }
            }
        }
        start = end;
    }
}

/// Parses the sentences of documents that share one model, in batches across documents.
fn parse_group(group: &mut [Work], model: &SyntaxModel) {
    // (document, sentence) of every sentence, in order.
    let mut all: Vec<(usize, usize)> = group
        .iter()
        .enumerate()
        .flat_map(|(d, w)| (0..w.sentences.len()).map(move |s| (d, s)))
        .collect();
    // The fast parser's integer products are made row by row, so a sentence parses the
    // same whatever its batch: batches of sentences of about one length, whose LSTM
    // steps keep every row busy (the accurate parser's float products are not, so its
    // batches keep the text's order).
    if model.is_first_pass() {
        let len = |&(d, s): &(usize, usize)| group[d].sentences[s].tokens.len();
        all.sort_by_key(len);
    }
    let mut trees_of: Vec<Vec<Vec<TokenSyntax>>> = group
        .iter()
        .map(|w| vec![Vec::new(); w.sentences.len()])
        .collect();
    for batch in all.chunks(SYNTAX_BATCH) {
        let forms: Vec<Vec<&str>> = batch
            .iter()
            .map(|&(d, s)| {
                let w = &group[d];
                w.tokens[w.sentences[s].tokens.clone()]
                    .iter()
                    .map(|t| &w.doc.text[t.span.range()])
                    .collect()
            })
            .collect();
        let first_pass = |d: usize| {
            let w = &group[d];
            w.first_pass
                .as_deref()
                .filter(|t| model.is_first_pass() && t.len() == w.tokens.len())
        };
        let trees = if batch.iter().all(|&(d, _)| first_pass(d).is_some()) {
            let tags: Vec<Vec<crate::syntax::Upos>> = batch
                .iter()
                .map(|&(d, s)| {
                    first_pass(d).unwrap_or_default()[group[d].sentences[s].tokens.clone()].to_vec()
                })
                .collect();
            model.analyse_batch_first_pass(&forms, &tags)
        } else {
            model.analyse_batch(&forms)
        };
        for (&(d, s), tree) in batch.iter().zip(trees) {
            trees_of[d][s] = tree;
        }
    }
    for (w, trees) in group.iter_mut().zip(trees_of) {
        let mut parsed = Vec::with_capacity(w.tokens.len());
        for tree in trees {
            parsed.extend(tree);
        }
        w.syntax = Some(parsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::PubDate;

    #[test]
    fn every_annotation_span_is_its_surface() {
        let doc = Document::builder("Drie keer de afgelopen 18 maanden. Dat schrijft The Guardian.\n\nPremie\n\nISIS belooft geld.")
            .published(PubDate::parse("2018-01").unwrap())
            .build();
        let a = annotate(&doc);
        assert_eq!(a.language, Some(Lang::NL));
        assert_eq!(a.sentences.len(), 4);
        assert!(a.annotations().iter().any(|x| x.layer == "timex"));
        for ann in a.annotations() {
            let surface = &doc.text[ann.span.range()];
            assert_eq!(surface.trim(), surface);
            assert!(!surface.is_empty());
        }
        assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    }

    /// A batch gives every document what it gets alone, whatever its neighbours: other
    /// languages (a parse group per model), no language, no text, sentences that fill the
    /// parser's batches across documents.
    #[test]
    fn a_batch_annotates_each_document_as_alone() {
        let long_nl: String = (1..=20)
            .map(|i| format!("Op {i} maart zei de minister dat {i} soldaten gewond raakten. "))
            .collect();
        let texts: [(&str, Option<Lang>, &str); 7] = [
            (
                "De putch zou gebeurd zijn op 10 januari. Dat schrijft The Guardian.",
                None,
                "2019-02",
            ),
            (&long_nl, Some(Lang::NL), "2019"),
            (
                "Vier jaar geleden raakte hij gewond bij een bombardement.",
                Some(Lang::NL),
                "2019-02",
            ),
            (
                "Boeing said on Tuesday it would delay the delivery of 14,000 jets.",
                None,
                "2018-05-02",
            ),
            (
                "The court ordered the release. Officials said talks continue.",
                Some(Lang::EN),
                "",
            ),
            ("", None, "2019-02"),
            ("1234 5678 9012", None, ""),
        ];
        let docs: Vec<Document> = texts
            .iter()
            .map(|(text, lang, date)| {
                Document::builder(*text)
                    .language(*lang)
                    .published(PubDate::parse(date).unwrap_or(PubDate::Unknown))
                    .build()
            })
            .collect();
        for syntax in [false, true] {
            for parser in [ParserChoice::Fast, ParserChoice::Accurate] {
                let options = AnnotateOptions { syntax, parser };
                let batch = annotate_batch(&docs, &options);
                assert_eq!(batch.len(), docs.len());
                for (doc, got) in docs.iter().zip(&batch) {
                    let alone = annotate_with(doc, &options);
                    assert_eq!(format!("{got:?}"), format!("{alone:?}"), "{:?}", doc.text);
                }
                if syntax {
                    assert!(batch[2]
                        .syntax
                        .as_ref()
                        .is_some_and(|s| s.len() == batch[2].tokens.len()));
                }
            }
        }
        assert!(annotate_batch::<Document>(&[], &AnnotateOptions::default()).is_empty());
    }

    #[test]
    fn events_reuse_the_syntax_tags_and_find_the_same_mentions() {
        let doc = Document::builder(
            "De putch zou gebeurd zijn op 10 januari. Dat schrijft The Guardian. \
             Boeing kondigde aan dat de levering wordt uitgesteld.",
        )
        .language(Some(Lang::NL))
        .build();
        let plain = annotate(&doc);
        let with = annotate_with(
            &doc,
            &AnnotateOptions {
                syntax: true,
                ..AnnotateOptions::default()
            },
        );
        let spans = |a: &Analysis| -> Vec<(crate::span::Span, crate::events::Factuality)> {
            a.events.iter().map(|e| (e.span, e.factuality)).collect()
        };
        assert!(!plain.events.is_empty());
        assert_eq!(spans(&plain), spans(&with));
    }

    /// `parser` picks the fast pipeline parser (the default) or the accurate one: the
    /// syntax is the chosen model's analysis of each sentence.
    #[test]
    fn the_parser_option_picks_the_fast_or_the_accurate_parser() {
        assert_eq!(AnnotateOptions::default().parser, ParserChoice::Fast);
        assert_eq!(
            ParserChoice::parse("accurate"),
            Some(ParserChoice::Accurate)
        );
        assert_eq!(
            ParserChoice::parse(ParserChoice::Fast.as_str()),
            Some(ParserChoice::Fast)
        );
        for (lang, text) in [
            (
                Lang::NL,
                "Hij riep het kalifaat uit. De minister zei gisteren dat het kabinet de \
                 regeling niet verlengt, omdat de kosten te hoog zijn. Dat schrijft de BBC.",
            ),
            (
                Lang::EN,
                "He declared the caliphate. The minister said yesterday that the cabinet \
                 will not extend the scheme because the costs are too high.",
            ),
        ] {
            let doc = Document::builder(text).language(Some(lang)).build();
            let (Some(fast), Some(accurate)) = (
                SyntaxModel::fast_for_language(lang),
                SyntaxModel::for_language(lang),
            ) else {
                continue;
            };
            for (choice, model) in [
                (ParserChoice::Fast, fast),
                (ParserChoice::Accurate, accurate),
            ] {
                let a = annotate_with(
                    &doc,
                    &AnnotateOptions {
                        syntax: true,
                        parser: choice,
                    },
                );
                let forms: Vec<Vec<&str>> = a
                    .sentences
                    .iter()
                    .map(|s| {
                        a.tokens[s.tokens.clone()]
                            .iter()
                            .map(|t| &doc.text[t.span.range()])
                            .collect()
                    })
                    .collect();
                let want: Vec<TokenSyntax> = forms.iter().flat_map(|f| model.analyse(f)).collect();
                assert_eq!(a.syntax.as_ref(), Some(&want), "{lang} {choice:?}");
            }
        }
    }

    #[test]
    fn syntax_is_computed_when_asked() {
        let doc = Document::builder("Hij riep het kalifaat uit. Dat schrijft de BBC.")
            .language(Some(Lang::NL))
            .build();
        assert!(annotate(&doc).syntax.is_none());
        let a = annotate_with(
            &doc,
            &AnnotateOptions {
                syntax: true,
                ..AnnotateOptions::default()
            },
        );
        if crate::syntax::SyntaxModel::for_language(Lang::NL).is_none() {
            assert!(a.diagnostics.iter().any(|d| d.code == "no-syntax-model"));
            return;
        }
        let syn = a.syntax.as_ref().expect("syntax");
        assert_eq!(syn.len(), a.tokens.len());
        for s in &a.sentences {
            assert_eq!(
                s.tokens
                    .clone()
                    .filter(|&i| a.head_index(i).is_none())
                    .count(),
                1,
                "one root per sentence"
            );
            assert!(s
                .tokens
                .clone()
                .filter_map(|i| a.head_index(i))
                .all(|h| s.tokens.contains(&h)));
        }
    }

    #[test]
    fn odd_input_gives_diagnostics_not_failure() {
        let a = annotate(&Document::builder("").build());
        let codes: Vec<_> = a.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["empty-text", "unknown-publication-date"]);
        let junk: String = (0..2000)
            .map(|i| char::from_u32(0x20 + (i * 7919) % 0x2000).unwrap_or('x'))
            .collect();
        let _ = annotate(&Document::builder(junk).build());
    }
}
