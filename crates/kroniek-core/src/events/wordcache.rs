//! Per thread, what the events stage derives from a word form alone: its lower case, its
//! ontology type, the keys of its trigger-model features that depend on the word only
//! ([`WordKeys`]), its lexical values for the syntax model's tagger ([`Lex`]), and, the
//! first time it is tagged as a noun, its [`Verbal`] class and sense classes. Words repeat, so each of these (string hashing, lexicon look-ups,
//! compound-head searches) is computed once per distinct form instead of once per token.
//! Every value is a pure function of the language and the form, so results are those of
//! computing it afresh.

use std::cell::RefCell;

use super::perceptron::Model;
use super::{senses, Verbal, Word, WordKeys};
use crate::fasthash::FastMap;
use crate::lang::Lang;
use crate::syntax::{Lex, SyntaxModel};

/// What is known of one word form.
pub(super) struct Entry {
    /// The form as written.
    pub(super) orig: Word,
    /// The form lower-cased (`str::to_lowercase`).
    pub(super) lower: Word,
    /// Its ontology type ([`super::event_type`]).
    pub(super) ty: Option<&'static str>,
    /// What the factuality cues see of it ([`super::cue_word`]).
    pub(super) cue: super::CueWord,
    /// Its word-only feature keys ([`super::word_keys`]).
    pub(super) keys: WordKeys,
    /// [`SyntaxModel::lex`] of the form, when the language has a syntax model.
    pub(super) lex: Option<Lex>,
    /// [`super::word_weights`] under the built-in trigger model, once asked for.
    head: Option<super::WordWeights>,
    /// As a noun: [`Verbal::of`] (with the language's syntax model) and
    /// [`senses::classes`]; filled the first time the form is tagged `NOUN`.
    noun: Option<(Verbal, Option<&'static str>)>,
}

/// The entries of one language.
pub(super) struct Cache {
    lang: Lang,
    model: Option<&'static SyntaxModel>,
    index: FastMap<Word, u32>,
    entries: Vec<Entry>,
    /// Unique to this cache's contents since it was made or last emptied (no two caches,
    /// on any thread, share one): ids handed out stay valid while it is unchanged.
    generation: u64,
}

thread_local! {
    static CACHES: RefCell<Vec<Cache>> = const { RefCell::new(Vec::new()) };
}

impl Cache {
    /// At most this many forms are kept per language (about 6 MB), then the cache is
    /// emptied.
    const CAPACITY: usize = 16_384;

    /// Makes room for the `n` words of a sentence: ids handed out after this stay valid
    /// until the next call.
    pub(super) fn begin(&mut self, n: usize) {
        if self.entries.len() + n > Self::CAPACITY {
            self.index.clear();
            self.entries.clear();
            self.generation = fresh_generation();
        }
    }

    /// Changes whenever the cache is emptied (and differs between caches, so between
    /// threads): ids from [`Cache::id`] are valid here as long as it is unchanged.
    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// The id of `form`'s entry, made now if the form is new.
    pub(super) fn id(&mut self, form: &str) -> u32 {
        if let Some(&id) = self.index.get(form) {
            return id;
        }
        let lower = form.to_lowercase();
        let orig = Word::from(form);
        let entry = Entry {
            ty: super::event_type(self.lang, &lower),
            keys: super::word_keys(form, &lower),
            cue: super::cue_word(super::cues(self.lang), &lower),
            lex: self.model.map(|m| m.lex(form)),
            // The same text shared when lower-casing changes nothing.
            lower: if lower == form {
                orig.clone()
            } else {
                Word::from(lower.as_str())
            },
            orig: orig.clone(),
            head: None,
            noun: None,
        };
        let id = self.entries.len() as u32;
        self.entries.push(entry);
        self.index.insert(orig, id);
        id
    }

    /// The entry of an id from [`Cache::id`].
    pub(super) fn get(&self, id: u32) -> &Entry {
        &self.entries[id as usize]
    }

    /// [`super::word_weights`] of the form under `model`, the language's built-in
    /// trigger model (the only one the cache is used with).
    pub(super) fn head(&mut self, id: u32, model: &Model) -> super::WordWeights {
        let e = &mut self.entries[id as usize];
        *e.head
            .get_or_insert_with(|| super::word_weights(model, &e.keys))
    }

    /// The verbal class and sense classes of the form as a noun.
    pub(super) fn noun(&mut self, id: u32) -> (Verbal, Option<&'static str>) {
        let (lang, model) = (self.lang, self.model);
        let e = &mut self.entries[id as usize];
        *e.noun.get_or_insert_with(|| {
            let verbal = model.map_or(Verbal::No, |m| Verbal::of(m, &e.lower));
            (verbal, senses::classes(lang, &e.lower))
        })
    }
}

/// A [`Cache::generation`] never handed out before.
fn fresh_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Runs `f` with this thread's cache for `lang`.
pub(super) fn with<R>(lang: Lang, f: impl FnOnce(&mut Cache) -> R) -> R {
    CACHES.with(|cell| {
        let mut caches = cell.borrow_mut();
        let at = match caches.iter().position(|c| c.lang == lang) {
            Some(at) => at,
            None => {
                // Two languages in practice; more are rare, so the oldest goes.
                if caches.len() >= 4 {
                    caches.remove(0);
                }
                caches.push(Cache {
                    lang,
                    model: SyntaxModel::for_language(lang),
                    index: FastMap::default(),
                    entries: Vec::new(),
                    generation: fresh_generation(),
                });
                caches.len() - 1
            }
        };
        f(&mut caches[at])
    })
}
