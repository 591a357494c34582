//! Syntax: universal part-of-speech tags, lemmas and labelled dependency trees.
//!
//! # Overview
//! One [`SyntaxModel`] per language holds three parts, trained together from a Universal
//! Dependencies treebank by [`train`] and stored in one compact, self-describing binary
//! file (`models/<lang>/syntax.bin`, embedded in the library):
//! - a **tagger**: greedy left-to-right averaged perceptron over word, affix, shape,
//!   ambiguity-class and previous-tag features;
//! - a **parser**: greedy arc-hybrid transition system with the root at the end of the
//!   buffer, an averaged perceptron over Zhang & Nivre (2011)-style features, trained with
//!   a dynamic oracle and error exploration (Goldberg & Nivre 2013); trees are projective
//!   with exactly one root;
//! - a **lemmatizer**: a (form, UPOS) table and suffix rules learnt from the treebank. For
//!   Dutch, a verb with a separated particle (`compound:prt`) gets the joined lemma
//!   (`riep … uit` → `uit_roepen`), as in the Alpino treebank.
//!
//! Features are hashed to 32-bit keys and the averaged weights are quantised to `i16`, with
//! rows kept sparse, so models stay small and scoring is a few hash lookups per feature.
//! Training is pure computation: sentences in, model bytes out; deterministic for a seed.
//!
//! # Example
//! ```
//! use kroniek_core::{syntax::SyntaxModel, Lang};
//!
//! if let Some(model) = SyntaxModel::for_language(Lang::NL) {
//!     let parsed = model.analyse(&["Hij", "riep", "de", "staat", "uit", "."]);
//!     assert_eq!(parsed.len(), 6);
//!     assert_eq!(parsed.iter().filter(|t| t.head == 0).count(), 1);
//! }
//! ```

mod bytes;
mod fine;
mod hash;
mod lemma;
mod lex;
pub mod neural;
mod parser;
mod perceptron;
mod projective;
mod tagger;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;

use crate::lang::Lang;
pub use crate::ner::Clusters;
use crate::resources;
use bytes::{Reader, Writer};
pub(crate) use lex::Lex;

/// The name of the model file under `models/<lang>/`.
pub const MODEL_FILE: &str = "syntax.bin";
/// The neural parser next to it, where a language has one.
pub const NEURAL_FILE: &str = "neural.bin";
/// File name of the fast pipeline parser under `models/<lang>/` (a small neural parser
/// that parses from the tagger's first pass; [`SyntaxModel::fast_for_language`]).
pub const NEURAL_FAST_FILE: &str = "neural-fast.bin";
/// The file starts with `KRNKSYN` and a version byte: the feature sets of tagger and
/// parser (1: first; 2: + parser counts of punctuation and verbs between s0 and b0;
/// 3: + tagger affixes of the sentence's last word; 4: + a word-cluster table, and cluster
/// features in tagger and parser; 5: set 3 and a second tagger pass with the first pass's
/// tags, the right context too, as features; 6: set 5 and fine tags for the parser, the
/// subclasses of VERB, AUX and PRON from the treebank's FEATS; 7: set 6 and, in the second
/// tagger pass, the nearest first-pass verbs of the token's clause). Older versions stay
/// readable. Training writes 4 when it is given clusters, else 7 with fine tags and clause
/// verbs, else 6 with fine tags, else 5 with a second tagger pass, else 3.
pub(crate) const VERSION: u32 = 7;
const MAGIC: &[u8; 7] = b"KRNKSYN";
/// Model flag: in the training treebank an AUX is (nearly) only an `aux` or `cop`
/// dependent, so tags may be made to agree with the parse ([`SyntaxModel::finish`]).
const FLAG_AUX_ONLY_DEPENDENT: u8 = 1;
/// The marker before the flags byte.
const FLAGS: &[u8; 5] = b"FLAGS";
/// At most this share of the training AUX tokens may head other relations for the flag
/// (Dutch Alpino cdb: 7 of 6,415; English EWT: 228 of 12,815, ellipsis).
const MAX_AUX_HEADS: f64 = 0.005;

/// Whether a relation attaches an auxiliary or copula (`aux`, `aux:pass`, `cop`).
fn attaches_auxiliary(deprel: &str) -> bool {
    matches!(deprel.split(':').next(), Some("aux" | "cop"))
}

/// The 17 universal part-of-speech tags of Universal Dependencies.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Upos {
    ADJ,
    ADP,
    ADV,
    AUX,
    CCONJ,
    DET,
    INTJ,
    NOUN,
    NUM,
    PART,
    PRON,
    PROPN,
    PUNCT,
    SCONJ,
    SYM,
    VERB,
    X,
}

impl Upos {
    /// All tags, in index order.
    pub const ALL: [Upos; 17] = [
        Upos::ADJ,
        Upos::ADP,
        Upos::ADV,
        Upos::AUX,
        Upos::CCONJ,
        Upos::DET,
        Upos::INTJ,
        Upos::NOUN,
        Upos::NUM,
        Upos::PART,
        Upos::PRON,
        Upos::PROPN,
        Upos::PUNCT,
        Upos::SCONJ,
        Upos::SYM,
        Upos::VERB,
        Upos::X,
    ];

    /// The tag as written in CoNLL-U.
    pub fn as_str(self) -> &'static str {
        const NAMES: [&str; 17] = [
            "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
            "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
        ];
        NAMES[self as usize]
    }

    /// The tag from its CoNLL-U name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Upos> {
        Upos::ALL.iter().copied().find(|u| u.as_str() == s)
    }
}

impl fmt::Display for Upos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// Not a kroniek syntax model (or an unknown version of one).
    BadMagic,
    /// The file ends too early.
    Truncated,
    /// A value is out of range.
    Corrupt(&'static str),
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::BadMagic => {
                f.write_str("not a kroniek syntax model (bad magic or version)")
            }
            ModelError::Truncated => f.write_str("syntax model is truncated"),
            ModelError::Corrupt(what) => write!(f, "syntax model is corrupt: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// The syntax of one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSyntax {
    /// Universal part of speech.
    pub upos: Upos,
    /// The lemma.
    pub lemma: String,
    /// 1-based index of the head token in the sentence; 0 for the root.
    pub head: u32,
    /// Universal dependency relation, with subtype (`nsubj`, `compound:prt`, `root`).
    pub deprel: &'static str,
}

/// A trained tagger, parser and lemmatizer for one language. Immutable, `Send + Sync`.
pub struct SyntaxModel {
    lang: &'static str,
    info: &'static str,
    labels: Vec<&'static str>,
    tagger: tagger::Tagger,
    parser: parser::Parser,
    lemmatizer: lemma::Lemmatizer<'static>,
    prt: Option<u16>,
    clusters: Option<Clusters>,
    /// Pseudo-projective models: per label, its plain label and decoration (`None`: plain).
    deproj: Option<Vec<Option<(u16, u16)>>>,
    /// Per label, whether it attaches an auxiliary (`aux`, `aux:pass`, `cop`); empty if
    /// the training treebank also has AUX heads (English ellipsis: "I think it **is**"),
    /// so that tags are never made to agree with the parse.
    aux_labels: Vec<bool>,
    /// A neural parser that replaces the transition parser (`with_neural`), with its
    /// labels mapped to this model's label indexes.
    neural: Option<(neural::NeuralParser, Vec<u16>)>,
    /// The neural parser was trained on the tagger's first pass (plain UPOS, no second
    /// pass, no fine tags): the fast pipeline parser ([`SyntaxModel::with_fast_neural`]).
    first_pass: bool,
}

impl fmt::Debug for SyntaxModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyntaxModel")
            .field("lang", &self.lang)
            .field("labels", &self.labels.len())
            .finish_non_exhaustive()
    }
}

impl SyntaxModel {
    /// The embedded model of a language, loaded once on first use; `None` if there is none
    /// (or it cannot be read). Where the language also has a neural parser
    /// (`models/<lang>/neural.bin`, Dutch and English), it parses instead of the transition
    /// parser; a neural file that cannot be read leaves the transition parser in place.
    pub fn for_language(lang: Lang) -> Option<&'static SyntaxModel> {
        static MODELS: resources::PerLanguage<Option<SyntaxModel>> = resources::PerLanguage::new();
        MODELS
            .get(
                lang,
                |l| {
                    let model = SyntaxModel::from_bytes(resources::bytes(l, MODEL_FILE)?).ok()?;
                    Some(
                        match resources::bytes(l, NEURAL_FILE)
                            .and_then(|b| neural::NeuralParser::from_bytes(b).ok())
                        {
                            Some(parser) => model.with_neural(parser),
                            None => model,
                        },
                    )
                },
                || None,
            )
            .as_ref()
    }

    /// The embedded model of a language with its fast pipeline parser
    /// (`models/<lang>/neural-fast.bin`) instead of the accurate one: tags from the
    /// tagger's first pass only, a small network (the default of `annotate --syntax`).
    /// The same as [`SyntaxModel::for_language`] where the language has no fast parser.
    pub fn fast_for_language(lang: Lang) -> Option<&'static SyntaxModel> {
        static MODELS: resources::PerLanguage<Option<SyntaxModel>> = resources::PerLanguage::new();
        let fast = MODELS
            .get(
                lang,
                |l| {
                    let parser =
                        neural::NeuralParser::from_bytes(resources::bytes(l, NEURAL_FAST_FILE)?)
                            .ok()?;
                    let model = SyntaxModel::from_bytes(resources::bytes(l, MODEL_FILE)?).ok()?;
                    Some(model.with_fast_neural(parser))
                },
                || None,
            )
            .as_ref();
        fast.or_else(|| SyntaxModel::for_language(lang))
    }

    /// Whether this model parses from the tagger's first pass (a fast parser).
    pub fn is_first_pass(&self) -> bool {
        self.first_pass
    }

    /// Whether a neural parser parses for this model.
    pub fn is_neural(&self) -> bool {
        self.neural.is_some()
    }

    /// Reads a model from the bytes [`train`] wrote. The model borrows its strings from
    /// `bytes`, hence `'static` (embedded bytes, or a leaked buffer in a command-line tool).
    ///
    /// # Errors
    /// A [`ModelError`] if the bytes are not a complete model of this version.
    pub fn from_bytes(bytes: &'static [u8]) -> Result<SyntaxModel, ModelError> {
        let mut r = Reader::new(bytes);
        if r.take(7).map_err(|_| ModelError::BadMagic)? != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let version = u32::from(r.u8()?);
        if !(1..=VERSION).contains(&version) {
            return Err(ModelError::BadMagic);
        }
        let lang = r.str()?;
        let info = r.str()?;
        let labels = r.strs()?;
        let clusters = if version == 4 {
            read_clusters(&mut r)?
        } else {
            None
        };
        let tagger = tagger::Tagger::read(&mut r, version)?;
        let parser = parser::Parser::read(&mut r, version)?;
        if parser.nlabels != labels.len() {
            return Err(ModelError::Corrupt("label count"));
        }
        let lemmatizer = lemma::Lemmatizer::read(&mut r)?;
        // Flags after the lemmatizer (models written before them have none).
        let flags = if r.at_end() {
            0
        } else if r.take(FLAGS.len())? == FLAGS {
            r.u8()?
        } else {
            return Err(ModelError::Corrupt("flags"));
        };
        let prt = if lang == "nl" {
            labels
                .iter()
                .position(|l| *l == "compound:prt")
                .map(|p| p as u16)
        } else {
            None
        };
        let split: Vec<Option<(u16, u16)>> = labels
            .iter()
            .map(|l| {
                let (plain, deco) = l.split_once(projective::SEP)?;
                let at = |x: &str| labels.iter().position(|l| *l == x).map(|p| p as u16);
                Some((at(plain)?, at(deco)?))
            })
            .collect();
        if labels.iter().any(|l| l.contains(projective::SEP))
            && split
                .iter()
                .zip(&labels)
                .any(|(s, l)| s.is_none() && l.contains(projective::SEP))
        {
            return Err(ModelError::Corrupt("decorated label"));
        }
        let deproj = split.iter().any(Option::is_some).then_some(split);
        let aux_labels = if flags & FLAG_AUX_ONLY_DEPENDENT != 0 {
            labels.iter().map(|l| attaches_auxiliary(l)).collect()
        } else {
            Vec::new()
        };
        Ok(SyntaxModel {
            aux_labels,
            lang,
            info,
            labels,
            tagger,
            parser,
            lemmatizer,
            prt,
            clusters,
            deproj,
            neural: None,
            first_pass: false,
        })
    }

    /// This model with its parser replaced by a neural one (tagger, fine tags and
    /// lemmatizer stay this model's).
    pub fn with_neural(mut self, parser: neural::NeuralParser) -> SyntaxModel {
        let fallback = self.labels.iter().position(|l| *l == "dep").unwrap_or(0) as u16;
        let map = parser
            .labels()
            .iter()
            .map(|l| {
                self.labels
                    .iter()
                    .position(|x| x == l)
                    .map_or(fallback, |i| i as u16)
            })
            .collect();
        self.neural = Some((parser, map));
        self.first_pass = false;
        self
    }

    /// This model with a neural parser trained on the first tagger pass's tags
    /// (`kroniek train syntax --neural-first-pass`): sentences are tagged by the first
    /// pass only, without the second pass and fine tags, and an AUX/VERB tag that the
    /// parse contradicts is corrected without parsing again.
    pub fn with_fast_neural(self, mut parser: neural::NeuralParser) -> SyntaxModel {
        parser.use_integer_products();
        let mut m = self.with_neural(parser);
        m.first_pass = true;
        m
    }

    /// Tag codes for the parser: both passes and fine tags, or the first pass only.
    fn parser_tags(&self, lex: &[Lex]) -> Vec<u8> {
        if self.first_pass {
            return self.tagger.tag_first_pass(lex);
        }
        let mut tags = self.tagger.tag(lex);
        self.tagger.refine(lex, &mut tags);
        tags
    }

    /// The tag codes the parser sees for a sentence (UPOS indexes with fine-tag bits).
    pub fn tag_codes<S: AsRef<str>>(&self, forms: &[S]) -> Vec<u8> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        self.parser_tags(&lex)
    }

    /// The first tagger pass's tag codes (plain UPOS indexes): what a fast parser
    /// ([`SyntaxModel::fast_for_language`]) sees.
    pub fn tag_first_pass_codes<S: AsRef<str>>(&self, forms: &[S]) -> Vec<u8> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        self.tagger.tag_first_pass(&lex)
    }

    /// The language code the model was trained for.
    pub fn lang(&self) -> &str {
        self.lang
    }

    /// A human description: training data, options and dev scores.
    pub fn info(&self) -> &str {
        self.info
    }

    /// The dependency labels the parser can assign.
    pub fn labels(&self) -> &[&'static str] {
        &self.labels
    }

    /// Tags one sentence (its word forms).
    pub fn tag<S: AsRef<str>>(&self, forms: &[S]) -> Vec<Upos> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        self.tagger
            .tag(&lex)
            .into_iter()
            .map(|t| Upos::ALL[t as usize])
            .collect()
    }

    /// Tags one sentence with the tagger's first pass only (the same as [`SyntaxModel::tag`]
    /// for a model without a second pass): the events stage tags every sentence of the
    /// default pipeline this way, trained and applied alike.
    pub fn tag_first_pass<S: AsRef<str>>(&self, forms: &[S]) -> Vec<Upos> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        self.tagger
            .tag_first_pass(&lex)
            .into_iter()
            .map(|t| Upos::ALL[t as usize])
            .collect()
    }

    /// The lexical values of one word form, as [`SyntaxModel::tag_first_pass`] computes them
    /// per token: for callers that keep them per word ([`SyntaxModel::tag_first_pass_lex`]).
    pub(crate) fn lex(&self, form: &str) -> Lex {
        Lex::with_clusters(form, self.clusters.as_ref())
    }

    /// [`SyntaxModel::tag_first_pass`] of a sentence given as the [`SyntaxModel::lex`] of
    /// its words.
    pub(crate) fn tag_first_pass_lex(&self, lex: &[Lex]) -> Vec<Upos> {
        self.tagger
            .tag_first_pass(lex)
            .into_iter()
            .map(|t| Upos::ALL[t as usize])
            .collect()
    }

    /// Whether the training treebank had `form` (exactly as written) with this UPOS: for
    /// instance whether a noun is also a verb form (Dutch "vlucht", "vertrek"; English
    /// "attack"), which marks nouns that name events.
    pub fn knows_form(&self, form: &str, upos: Upos) -> bool {
        self.lemmatizer.knows(form, upos)
    }

    /// Tags, lemmatizes and parses one sentence (its word forms). Never panics; an empty
    /// sentence gives an empty result.
    pub fn analyse<S: AsRef<str>>(&self, forms: &[S]) -> Vec<TokenSyntax> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        let tags = self.parser_tags(&lex);
        self.finish(forms, &lex, &tags)
    }

    /// Lemmatizes and parses one sentence whose tags are given.
    pub fn analyse_tagged<S: AsRef<str>>(&self, forms: &[S], tags: &[Upos]) -> Vec<TokenSyntax> {
        let lex = lex::lexes(forms, self.clusters.as_ref());
        let mut tags: Vec<u8> = tags
            .iter()
            .map(|&t| t as u8)
            .chain(std::iter::repeat(Upos::X as u8))
            .take(forms.len())
            .collect();
        if !self.first_pass {
            self.tagger.refine(&lex, &mut tags);
        }
        self.finish(forms, &lex, &tags)
    }

    /// The parser's arcs for tag codes, moved back to non-projective heads where the model
    /// decorates labels.
    fn parse_arcs<S: AsRef<str>>(&self, forms: &[S], lex: &[Lex], tags: &[u8]) -> Vec<(u32, u16)> {
        if let Some((p, map)) = &self.neural {
            let forms: Vec<&str> = forms.iter().map(AsRef::as_ref).collect();
            let mut arcs = neural_windows(p, &[(&forms, tags)])
                .pop()
                .unwrap_or_default();
            for a in &mut arcs {
                a.1 = map.get(a.1 as usize).copied().unwrap_or(0);
            }
            return arcs;
        }
        let mut arcs = self.parser.parse(&parser::Input::new(lex, tags));
        if let Some(split) = &self.deproj {
            projective::deprojectivise(&mut arcs, split);
        }
        arcs
    }

    /// Tag codes that agree with the parse about auxiliaries, if the given ones do not: in
    /// UD an AUX is only ever an `aux` or `cop` dependent, so an AUX the parser made a
    /// clause head (root, conjunct, complement) is the main verb ("Vorig jaar **was** ik
    /// in India", "Zij **hebben** een machtige positie"), and a VERB attached as `aux` or
    /// `cop` is an auxiliary if the treebank has that form as one. The tagger decides
    /// AUX/VERB from the words around; the parser sees the whole clause (whether there is
    /// a participle or a predicate for the verb to serve). `None`: nothing to change.
    fn aux_verb_agreeing<S: AsRef<str>>(
        &self,
        forms: &[S],
        lex: &[Lex],
        tags: &[u8],
        arcs: &[(u32, u16)],
    ) -> Option<Vec<u8>> {
        let (aux, verb) = (Upos::AUX as u8, Upos::VERB as u8);
        if self.aux_labels.is_empty() {
            return None;
        }
        let mut out: Option<Vec<u8>> = None;
        for (i, (&t, &(_, l))) in tags.iter().zip(arcs).enumerate() {
            let as_aux = self.aux_labels.get(l as usize).copied().unwrap_or(false);
            let upos = fine::upos_of(t);
            let new = if upos == aux && !as_aux {
                verb
            } else if upos == verb && as_aux && self.knows_form(forms[i].as_ref(), Upos::AUX) {
                aux
            } else {
                continue;
            };
            out.get_or_insert_with(|| tags.iter().map(|&t| fine::upos_of(t)).collect())[i] = new;
        }
        let mut out = out?;
        if !self.first_pass {
            self.tagger.refine(lex, &mut out);
        }
        Some(out)
    }

    /// [`SyntaxModel::analyse`] of several sentences: the same results; with a neural
    /// parser the sentences are encoded together, which is faster per token.
    pub fn analyse_batch<S: AsRef<str>>(&self, sents: &[Vec<S>]) -> Vec<Vec<TokenSyntax>> {
        let Some((p, map)) = &self.neural else {
            return sents.iter().map(|f| self.analyse(f)).collect();
        };
        let tagged: Vec<(Vec<Lex>, Vec<u8>)> = sents
            .iter()
            .map(|forms| {
                let lex = lex::lexes(forms, self.clusters.as_ref());
                let tags = self.parser_tags(&lex);
                (lex, tags)
            })
            .collect();
        if self.first_pass {
            let tags: Vec<Vec<Upos>> = tagged
                .iter()
                .map(|(_, t)| t.iter().map(|&t| Upos::ALL[t as usize]).collect())
                .collect();
            return self.analyse_batch_first_pass(sents, &tags);
        }
        let forms: Vec<Vec<&str>> = sents
            .iter()
            .map(|f| f.iter().map(AsRef::as_ref).collect())
            .collect();
        let input: Vec<(&[&str], &[u8])> = forms
            .iter()
            .zip(&tagged)
            .map(|(f, (_, t))| (&f[..], &t[..]))
            .collect();
        let map_labels = |mut arcs: Vec<(u32, u16)>| {
            for a in &mut arcs {
                a.1 = map.get(a.1 as usize).copied().unwrap_or(0);
            }
            arcs
        };
        let arcs: Vec<Vec<(u32, u16)>> = neural_windows(p, &input)
            .into_iter()
            .map(map_labels)
            .collect();
        // Sentences whose AUX/VERB tags the parse contradicts are parsed again with the
        // tags that agree, each as if alone (as `finish_with` would), but encoded together.
        let retagged: Vec<Option<Vec<u8>>> = sents
            .iter()
            .zip(&tagged)
            .zip(&arcs)
            .map(|((f, (lex, tags)), arcs)| self.aux_verb_agreeing(f, lex, tags, arcs))
            .collect();
        let again: Vec<(&[&str], &[u8])> = forms
            .iter()
            .zip(&retagged)
            .filter_map(|(f, t)| Some((&f[..], &t.as_ref()?[..])))
            .filter(|(f, _)| f.len() <= NEURAL_WINDOW)
            .collect();
        let mut reparsed = p.parse_each_indexed(&again).into_iter().map(map_labels);
        sents
            .iter()
            .zip(&tagged)
            .zip(arcs)
            .zip(&retagged)
            .map(|(((f, (lex, tags)), arcs), retag)| match retag {
                None => self.finish_arcs(f, tags, arcs),
                Some(t) => {
                    let arcs = if f.len() <= NEURAL_WINDOW {
                        reparsed.next().unwrap_or_default()
                    } else {
                        self.parse_arcs(f, lex, t)
                    };
                    self.finish_arcs(f, t, arcs)
                }
            })
            .collect()
    }

    /// [`SyntaxModel::analyse_batch`] of a fast model ([`SyntaxModel::is_first_pass`]) with
    /// the first tagger pass's tags given (`tags[i][j]` for word `j` of sentence `i`, as
    /// [`SyntaxModel::tag_first_pass`] gives them; missing ones read as `X`): the pipeline
    /// has them already. A model that is not a fast one ignores the tags and analyses the
    /// sentences as [`SyntaxModel::analyse_batch`] does.
    pub fn analyse_batch_first_pass<S: AsRef<str>>(
        &self,
        sents: &[Vec<S>],
        tags: &[Vec<Upos>],
    ) -> Vec<Vec<TokenSyntax>> {
        let Some((p, map)) = self.neural.as_ref().filter(|_| self.first_pass) else {
            return self.analyse_batch(sents);
        };
        let forms: Vec<Vec<&str>> = sents
            .iter()
            .map(|f| f.iter().map(AsRef::as_ref).collect())
            .collect();
        let codes: Vec<Vec<u8>> = forms
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let t = tags.get(i).map_or(&[][..], |t| &t[..]);
                (0..f.len())
                    .map(|j| t.get(j).copied().unwrap_or(Upos::X) as u8)
                    .collect()
            })
            .collect();
        let input: Vec<(&[&str], &[u8])> = forms
            .iter()
            .zip(&codes)
            .map(|(f, t)| (&f[..], &t[..]))
            .collect();
        neural_windows(p, &input)
            .into_iter()
            .zip(&forms)
            .zip(&codes)
            .map(|((mut arcs, f), t)| {
                for a in &mut arcs {
                    a.1 = map.get(a.1 as usize).copied().unwrap_or(0);
                }
                let retagged = self.aux_verb_agreeing(f, &[], t, &arcs);
                self.finish_arcs(f, retagged.as_deref().unwrap_or(t), arcs)
            })
            .collect()
    }

    /// Parses with the parser's tag codes (UPOS indexes, with subclass bits in set 6).
    fn finish<S: AsRef<str>>(&self, forms: &[S], lex: &[Lex], tags: &[u8]) -> Vec<TokenSyntax> {
        let arcs = self.parse_arcs(forms, lex, tags);
        self.finish_with(forms, lex, tags, arcs)
    }

    /// [`SyntaxModel::finish`] with the parser's arcs for `tags` given.
    fn finish_with<S: AsRef<str>>(
        &self,
        forms: &[S],
        lex: &[Lex],
        tags: &[u8],
        mut arcs: Vec<(u32, u16)>,
    ) -> Vec<TokenSyntax> {
        let retagged = self.aux_verb_agreeing(forms, lex, tags, &arcs);
        let tags = match &retagged {
            // A fast parser keeps its arcs (the tags are corrected, not parsed again).
            Some(t) if self.first_pass => &t[..],
            Some(t) => {
                arcs = self.parse_arcs(forms, lex, t);
                &t[..]
            }
            None => tags,
        };
        self.finish_arcs(forms, tags, arcs)
    }

    /// The tokens' syntax from the final tag codes and arcs (particle lemmas joined).
    fn finish_arcs<S: AsRef<str>>(
        &self,
        forms: &[S],
        tags: &[u8],
        arcs: Vec<(u32, u16)>,
    ) -> Vec<TokenSyntax> {
        let n = forms.len();
        let mut out: Vec<TokenSyntax> = forms
            .iter()
            .zip(tags)
            .zip(&arcs)
            .map(|((f, &t), &(h, l))| {
                let upos = Upos::ALL[fine::upos_of(t) as usize];
                TokenSyntax {
                    upos,
                    lemma: self.lemmatizer.lemma(f.as_ref(), upos),
                    head: if h as usize >= n { 0 } else { h + 1 },
                    deprel: self.labels.get(l as usize).copied().unwrap_or("dep"),
                }
            })
            .collect();
        if let Some(prt) = self.prt {
            // Dutch separable verbs: "riep … uit" has the lemma "uit_roepen".
            for (i, &(h, l)) in arcs.iter().enumerate() {
                if l == prt
                    && (h as usize) < n
                    && matches!(out[h as usize].upos, Upos::VERB | Upos::AUX)
                {
                    let particle = forms[i].as_ref().to_lowercase();
                    let verb = &out[h as usize].lemma;
                    if !verb.contains('_') && !verb.starts_with(&particle) {
                        out[h as usize].lemma = format!("{particle}_{verb}");
                    }
                }
            }
        }
        out
    }
}

/// The longest stretch of a sentence the neural parser sees at once: its arc scores grow
/// with the square of the length (a 24,000-word "sentence" took gigabytes).
const NEURAL_WINDOW: usize = 200;

/// [`neural::NeuralParser::parse_batch_indexed`] with sentences longer than
/// [`NEURAL_WINDOW`] parsed in windows of that length: each later window's root hangs
/// under the first window's root as `parataxis` (`dep` if the model has no such label), so
/// every sentence still has one root.
fn neural_windows(p: &neural::NeuralParser, sents: &[(&[&str], &[u8])]) -> Vec<Vec<(u32, u16)>> {
    if sents.iter().all(|(f, _)| f.len() <= NEURAL_WINDOW) {
        return p.parse_batch_indexed(sents);
    }
    let mut pieces: Vec<(&[&str], &[u8])> = Vec::new();
    for &(f, t) in sents {
        if f.is_empty() {
            pieces.push((f, t));
        }
        for start in (0..f.len()).step_by(NEURAL_WINDOW) {
            let end = (start + NEURAL_WINDOW).min(f.len());
            pieces.push((&f[start..end], &t[start.min(t.len())..end.min(t.len())]));
        }
    }
    let label = |name: &str| p.labels().iter().position(|l| *l == name);
    let join = label("parataxis").or_else(|| label("dep")).unwrap_or(0) as u16;
    let mut parsed = p.parse_batch_indexed(&pieces).into_iter();
    sents
        .iter()
        .map(|&(f, _)| {
            let n = f.len();
            let mut arcs: Vec<(u32, u16)> = Vec::with_capacity(n);
            let mut root = None;
            for start in (0..n.max(1)).step_by(NEURAL_WINDOW) {
                let piece = parsed.next().unwrap_or_default();
                let len = piece.len();
                for (h, l) in piece {
                    let h = h as usize;
                    if h < len {
                        arcs.push(((start + h) as u32, l));
                    } else if let Some(r) = root {
                        arcs.push((r, join));
                    } else {
                        root = Some(arcs.len() as u32);
                        arcs.push((n as u32, l));
                    }
                }
            }
            arcs
        })
        .collect()
}

/// A token of a gold training sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldToken {
    /// Word form.
    pub form: String,
    /// Lemma (`_` if unknown).
    pub lemma: String,
    /// UPOS as written (`NOUN`, …).
    pub upos: String,
    /// 1-based head, 0 for the root.
    pub head: u32,
    /// Dependency relation with subtype.
    pub deprel: String,
}

/// Options for [`train`].
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Language code written into the model.
    pub lang: String,
    /// Tagger iterations over the training data.
    pub tagger_iterations: usize,
    /// Parser iterations over the training data.
    pub parser_iterations: usize,
    /// Folds for jackknifed training tags for the parser (0 or 1: gold tags).
    pub jackknife: usize,
    /// Seed of the shuffling and exploration random numbers.
    pub seed: u64,
    /// Most parser weights kept (the smallest are dropped), to bound the model size.
    pub max_parser_weights: usize,
    /// Free text stored in the model (the training command, data names).
    pub description: String,
    /// Word clusters from unlabeled text: stored in the model and used as tagger and
    /// parser features (feature set 4); `None`: feature set 3 or 5.
    pub clusters: Option<Clusters>,
    /// A second tagger pass that sees the first pass's tags of the whole sentence (feature
    /// set 5; not with clusters).
    pub two_pass_tagger: bool,
    /// Pseudo-projective parsing: training trees are made projective by lifting arcs, with
    /// the lifted token's label decorated by its original head's label (`obj||xcomp`);
    /// parsing moves such tokens back down (the labels say so: no feature-set change).
    pub pseudo_projective: bool,
    /// Fine tags for the parser (feature set 6, with the second tagger pass): the
    /// subclasses of VERB/AUX (VerbForm) and PRON (PronType with Case or Poss), learnt
    /// from the FEATS given to [`train_with_feats`]; ignored by [`train`].
    pub fine_tags: bool,
    /// Train and evaluate the tagger only (its accuracy on `dev` goes to the log; no
    /// jackknifed second-pass tags, fine tags or parser): [`train`] returns no bytes. With
    /// a second pass and `jackknife` below 2, the first pass only.
    pub tagger_only: bool,
    /// Feature set 7 (with fine tags): the second tagger pass also sees the nearest verbs
    /// of the token's clause (from the first pass), for AUX against VERB.
    pub clause_verbs: bool,
    /// An older feature set (1, 2 or 3) instead of the one the other options select; only
    /// without clusters, a second tagger pass or fine tags. `None`: the options decide. The
    /// English model is set 1 (no tagger features of the sentence's last word).
    pub feature_set: Option<u32>,
    /// The jackknifed tags [`train_with_feats_tagged`] returns are the first tagger pass's
    /// (plain UPOS indexes, no fine-tag bits), for a parser that parses from the first
    /// pass only (the fast pipeline parser); the model itself is unchanged.
    pub first_pass_tags: bool,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            lang: "xx".into(),
            tagger_iterations: 10,
            parser_iterations: 15,
            jackknife: 4,
            seed: 1,
            max_parser_weights: 3_000_000,
            description: String::new(),
            clusters: None,
            two_pass_tagger: false,
            pseudo_projective: false,
            fine_tags: false,
            tagger_only: false,
            clause_verbs: false,
            feature_set: None,
            first_pass_tags: false,
        }
    }
}

/// A deterministic random number generator (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(hash::mix(seed ^ 0x1234_5678_9abc_def1) | 1)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// The cluster table of a feature-set-4 model (an empty table reads as none).
fn read_clusters(r: &mut Reader<'_>) -> Result<Option<Clusters>, ModelError> {
    let n = r.u32()? as usize;
    let mut entries = Vec::with_capacity(n.min(1 << 22));
    for _ in 0..n {
        entries.push((r.u32()?, r.u32()?));
    }
    Ok((n > 0).then(|| Clusters::from_parts(entries)))
}

/// Pseudo-projective training: a decoration (lifted label, head label) seen fewer times is
/// not made a label, and at most this many are.
const MIN_DECORATION: usize = 20;
const MAX_DECORATIONS: usize = 40;

/// Iterations of the fine-tag predictor.
const FINE_ITERATIONS: usize = 5;

/// The fine-tag inventory of training sentences with their FEATS.
fn subs_of(train: &[&Vec<GoldToken>], feats: &[&Vec<String>]) -> Vec<Vec<String>> {
    let keys: Vec<(u8, String)> = train
        .iter()
        .zip(feats)
        .flat_map(|(s, f)| s.iter().zip(f.iter()))
        .filter_map(|(t, f)| {
            let u = upos_index(&t.upos);
            fine::key(Upos::ALL[u as usize], f).map(|k| (u, k))
        })
        .collect();
    fine::inventory(keys.iter().map(|(u, k)| (*u, k.as_str())), 20)
}

fn upos_index(s: &str) -> u8 {
    Upos::parse(s).unwrap_or(Upos::X) as u8
}

/// Trains a model on gold sentences and returns the model file's bytes. `dev` is only used
/// to report progress through `log`. Pure and deterministic for given options.
pub fn train(
    train: &[Vec<GoldToken>],
    dev: &[Vec<GoldToken>],
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> Vec<u8> {
    train_with_feats(train, &[], dev, opts, log)
}

/// [`train`] with the CoNLL-U FEATS column of every training token (`feats[s][i]`, as
/// written: `VerbForm=Fin|…` or `_`), from which `opts.fine_tags` learns fine tags
/// (feature set 6). Without FEATS for every sentence, fine tags are off.
pub fn train_with_feats(
    train: &[Vec<GoldToken>],
    feats: &[Vec<String>],
    dev: &[Vec<GoldToken>],
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> Vec<u8> {
    train_with_feats_tagged(train, feats, dev, opts, log).0
}

/// [`train_with_feats`], also returning the jackknifed tag codes the parser was trained on
/// (one list per training sentence, empty for an empty one): training data for a parser
/// trained apart, such as [`neural`].
pub fn train_with_feats_tagged(
    train: &[Vec<GoldToken>],
    feats: &[Vec<String>],
    dev: &[Vec<GoldToken>],
    opts: &TrainOptions,
    log: &mut dyn FnMut(String),
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let all = train;
    let fine_tags = opts.fine_tags
        && opts.clusters.is_none()
        && feats.len() == train.len()
        && feats.iter().zip(train).all(|(f, s)| f.len() == s.len());
    let feats: Vec<&Vec<String>> = if fine_tags {
        feats
            .iter()
            .zip(train)
            .filter(|(_, s)| !s.is_empty())
            .map(|(f, _)| f)
            .collect()
    } else {
        Vec::new()
    };
    let train: Vec<&Vec<GoldToken>> = train.iter().filter(|s| !s.is_empty()).collect();
    // Gold trees (heads with the root as `n`, labels), made projective if asked.
    let gold_heads = |s: &Vec<GoldToken>| -> Vec<u32> {
        let n = s.len() as u32;
        s.iter()
            .map(|t| {
                if t.head == 0 || t.head > n {
                    n
                } else {
                    t.head - 1
                }
            })
            .collect()
    };
    let mut trees: Vec<(Vec<u32>, Vec<String>)> = Vec::with_capacity(train.len());
    let mut decorated: Vec<Vec<Option<&str>>> = Vec::new();
    for s in &train {
        let heads = gold_heads(s);
        let labels: Vec<&str> = s.iter().map(|t| t.deprel.as_str()).collect();
        if opts.pseudo_projective {
            let (heads, deco) = projective::projectivise(&heads, &labels);
            decorated.push(deco);
            trees.push((heads, Vec::new()));
        } else {
            trees.push((heads, labels.iter().map(|l| l.to_string()).collect()));
        }
    }
    if opts.pseudo_projective {
        // Only frequent decorations become labels (each one adds two parser classes); a
        // rarer lifted token keeps its plain label.
        let mut count: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
        for (s, deco) in train.iter().zip(&decorated) {
            for (t, d) in s.iter().zip(deco) {
                if let Some(d) = d {
                    *count.entry((t.deprel.as_str(), d)).or_default() += 1;
                }
            }
        }
        let mut frequent: Vec<(usize, (&str, &str))> = count
            .into_iter()
            .filter(|&(_, c)| c >= MIN_DECORATION)
            .map(|(k, c)| (c, k))
            .collect();
        frequent.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        frequent.truncate(MAX_DECORATIONS);
        let keep: BTreeSet<(&str, &str)> = frequent.into_iter().map(|(_, k)| k).collect();
        for ((s, deco), tree) in train.iter().zip(&decorated).zip(&mut trees) {
            tree.1 = s
                .iter()
                .zip(deco)
                .map(|(t, d)| match d {
                    Some(d) if keep.contains(&(t.deprel.as_str(), *d)) => {
                        format!("{}{}{d}", t.deprel, projective::SEP)
                    }
                    _ => t.deprel.clone(),
                })
                .collect();
        }
    }
    let mut labels: BTreeSet<&str> = trees
        .iter()
        .flat_map(|(_, l)| l.iter().map(String::as_str))
        .chain(
            train
                .iter()
                .flat_map(|s| s.iter().map(|t| t.deprel.as_str())),
        )
        .collect();
    labels.insert("root");
    let labels: Vec<&str> = labels.into_iter().collect();
    let root = labels.iter().position(|l| *l == "root").unwrap_or(0);
    let fallback = labels.iter().position(|l| *l == "dep").unwrap_or(root);
    let label_of = |d: &str| labels.binary_search(&d).unwrap_or(fallback) as u16;
    let clusters = opts.clusters.as_ref();
    let version = if let Some(v) = opts.feature_set {
        assert!(
            (1..=3).contains(&v) && clusters.is_none() && !fine_tags && !opts.two_pass_tagger,
            "feature set {v} is not 1, 2 or 3, or given with clusters, fine tags or two tagger passes"
        );
        v
    } else if clusters.is_some() {
        4
    } else if fine_tags && opts.clause_verbs {
        7
    } else if fine_tags {
        6
    } else if opts.two_pass_tagger {
        5
    } else {
        3
    };
    let tagged = |sents: &[&Vec<GoldToken>]| -> Vec<(Vec<Lex>, Vec<u8>)> {
        sents
            .iter()
            .map(|s| {
                (
                    s.iter()
                        .map(|t| Lex::with_clusters(&t.form, clusters))
                        .collect(),
                    s.iter().map(|t| upos_index(&t.upos)).collect(),
                )
            })
            .collect()
    };
    let dev: Vec<&Vec<GoldToken>> = dev.iter().filter(|s| !s.is_empty()).collect();
    let train_tagged = tagged(&train);
    let dev_tagged = tagged(&dev);
    log(format!(
        "{} training sentences, {} dev sentences, {} labels",
        train.len(),
        dev.len(),
        labels.len()
    ));

    // First-pass tags of every training sentence from taggers trained on the other folds:
    // the second tagger pass learns from them, the parser from the (two-pass) fold tags,
    // so both learn from tags as good as they will get.
    let two_pass = version >= 5 && !(opts.tagger_only && opts.jackknife < 2);
    let k = opts.jackknife;
    let folds = if two_pass && k < 2 { 4 } else { k };
    let mut fold_taggers = Vec::new();
    let mut first_tags: Vec<Vec<u8>> = vec![Vec::new(); train_tagged.len()];
    let rest_of = |fold: usize| -> Vec<(Vec<Lex>, Vec<u8>)> {
        train_tagged
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, s)| s.clone())
            .collect()
    };
    if folds > 1 {
        for fold in 0..folds {
            let t = tagger::train(
                &rest_of(fold),
                version,
                opts.tagger_iterations,
                opts.seed + 1 + fold as u64,
                None,
                &[],
                &mut |_| {},
            );
            for (i, s) in train_tagged
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == fold)
            {
                first_tags[i] = t.tag(&s.0);
            }
            log(format!("jackknife fold {}/{folds} tagged", fold + 1));
            fold_taggers.push(t);
        }
    }
    let tagger = tagger::train(
        &train_tagged,
        version,
        opts.tagger_iterations,
        opts.seed,
        two_pass.then_some(&first_tags[..]),
        &dev_tagged,
        log,
    );
    if opts.tagger_only {
        return (Vec::new(), Vec::new());
    }
    let first_pass_out = (opts.first_pass_tags && folds > 1).then(|| first_tags.clone());
    let train_tags: Vec<Vec<u8>> = if k > 1 && two_pass {
        let mut out = vec![Vec::new(); train_tagged.len()];
        for (fold, mut t) in fold_taggers.into_iter().enumerate() {
            let right: Vec<Vec<u8>> = first_tags
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds != fold)
                .map(|(_, r)| r.clone())
                .collect();
            t.train_second(
                &rest_of(fold),
                &right,
                opts.tagger_iterations,
                opts.seed + 1 + fold as u64,
                &mut |_| {},
            );
            for (i, s) in train_tagged
                .iter()
                .enumerate()
                .filter(|(i, _)| i % folds == fold)
            {
                out[i] = t.tag(&s.0);
            }
            log(format!(
                "jackknife fold {}/{folds}: second pass tagged",
                fold + 1
            ));
        }
        out
    } else if k > 1 {
        first_tags
    } else {
        train_tagged.iter().map(|s| s.1.clone()).collect()
    };
    // Fine tags (set 6): gold codes of the training data; the parser learns from codes
    // the fold's predictor gives its jackknifed UPOS tags (as the tags themselves).
    let mut tagger = tagger;
    let mut train_tags = train_tags;
    if fine_tags {
        let subs = subs_of(&train, &feats);
        let gold_codes: Vec<Vec<u8>> = train
            .iter()
            .zip(&feats)
            .map(|(s, f)| {
                s.iter()
                    .zip(f.iter())
                    .map(|(t, f)| {
                        let u = upos_index(&t.upos);
                        fine::code(&subs, u, fine::key(Upos::ALL[u as usize], f).as_deref())
                    })
                    .collect()
            })
            .collect();
        log(format!(
            "fine tags: {}",
            subs.iter()
                .enumerate()
                .filter(|(_, s)| !s.is_empty())
                .map(|(u, s)| format!("{} {}", Upos::ALL[u], s.join(" ")))
                .collect::<Vec<_>>()
                .join("; ")
        ));
        let examples = |keep: &dyn Fn(usize) -> bool| -> Vec<(&[Lex], &[u8])> {
            train_tagged
                .iter()
                .zip(&gold_codes)
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, ((lex, _), c))| (&lex[..], &c[..]))
                .collect()
        };
        if k > 1 {
            for fold in 0..k {
                let f = fine::train(
                    &examples(&|i| i % k != fold),
                    subs.clone(),
                    FINE_ITERATIONS,
                    opts.seed + 1 + fold as u64,
                );
                for (i, (lex, _)) in train_tagged
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % k == fold)
                {
                    f.refine(lex, &mut train_tags[i]);
                }
            }
        } else {
            train_tags.clone_from(&gold_codes);
        }
        let f = fine::train(&examples(&|_| true), subs, FINE_ITERATIONS, opts.seed);
        tagger.fine = Some(f);
        log("fine tags trained".to_string());
    }
    let mut jackknifed = first_pass_out
        .unwrap_or_else(|| train_tags.clone())
        .into_iter();
    let jackknifed: Vec<Vec<u8>> = all
        .iter()
        .map(|s| {
            if s.is_empty() {
                Vec::new()
            } else {
                jackknifed.next().unwrap_or_default()
            }
        })
        .collect();
    let parse_train: Vec<parser::ParseExample> = trees
        .iter()
        .zip(train_tagged)
        .zip(train_tags)
        .map(|(((heads, ls), (lex, _)), tags)| parser::ParseExample {
            lex,
            tags,
            heads: heads.clone(),
            labels: ls.iter().map(|l| label_of(l)).collect(),
        })
        .collect();
    let example = |s: &Vec<GoldToken>, lex: Vec<Lex>, tags: Vec<u8>| parser::ParseExample {
        lex,
        tags,
        heads: gold_heads(s),
        labels: s.iter().map(|t| label_of(&t.deprel)).collect(),
    };
    let parse_dev: Vec<parser::ParseExample> = dev
        .iter()
        .zip(dev_tagged)
        .map(|(s, (lex, _))| {
            let mut tags = tagger.tag(&lex);
            tagger.refine(&lex, &mut tags);
            example(s, lex, tags)
        })
        .collect();
    let parser = parser::train(
        &parse_train,
        version,
        labels.len(),
        root,
        opts.parser_iterations,
        opts.seed,
        opts.max_parser_weights,
        &parse_dev,
        log,
    );

    // Lemmas: for Dutch separable verbs learn the verb's own lemma; the particle is joined at run time.
    let mut lemmas = Vec::new();
    for s in &train {
        for (i, t) in s.iter().enumerate() {
            let mut lemma = t.lemma.clone();
            if let Some(prt) = s
                .iter()
                .find(|d| d.deprel == "compound:prt" && d.head as usize == i + 1)
            {
                let prefix = format!("{}_", prt.form.to_lowercase());
                if let Some(rest) = lemma.strip_prefix(&prefix) {
                    lemma = rest.to_string();
                }
            }
            lemmas.push((t.form.clone(), upos_index(&t.upos), lemma));
        }
    }
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.u8(version as u8);
    w.str(&opts.lang);
    let info = format!(
        "{}; {} sentences; {} cluster words; feature set {version}; tagger {} iterations, {} features; parser {} iterations, {} features, {} labels{}; jackknife {}; seed {}",
        opts.description,
        train.len(),
        clusters.map_or(0, Clusters::len),
        opts.tagger_iterations,
        tagger.weights.nfeatures(),
        opts.parser_iterations,
        parser.weights.nfeatures(),
        labels.len(),
        if opts.pseudo_projective {
            " (pseudo-projective)"
        } else {
            ""
        },
        opts.jackknife,
        opts.seed
    );
    w.str(&info);
    w.strs(&labels);
    if let Some(c) = clusters {
        w.u32(c.entries.len() as u32);
        for &(k, p) in &c.entries {
            w.u32(k);
            w.u32(p);
        }
    }
    tagger.write(&mut w);
    parser.write(&mut w);
    lemma::build(&lemmas, &mut w);
    let (mut aux, mut aux_heads) = (0usize, 0usize);
    for t in train
        .iter()
        .flat_map(|s| s.iter())
        .filter(|t| t.upos == "AUX")
    {
        aux += 1;
        aux_heads += usize::from(!attaches_auxiliary(&t.deprel));
    }
    let aux_only = aux > 0 && (aux_heads as f64) <= MAX_AUX_HEADS * aux as f64;
    log(format!(
        "{aux_heads} of {aux} training AUX tokens are not aux/cop: tags {}made to agree with the parse",
        if aux_only { "" } else { "not " }
    ));
    w.buf.extend_from_slice(FLAGS);
    w.u8(if aux_only { FLAG_AUX_ONLY_DEPENDENT } else { 0 });
    log(format!("model: {} bytes", w.buf.len()));
    (w.buf, jackknifed)
}
