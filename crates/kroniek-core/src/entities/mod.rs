//! Entities: from name mentions to the people, organisations and places they denote.
//!
//! Three steps, all pure:
//! 1. [`normalize`]: the key under which name variants meet (case, diacritics, articles,
//!    titles, `al-`/`el-` particles).
//! 2. [`link`]: within one document, mentions → document entities (same key, surname-only
//!    mentions to the full name, acronyms defined in the text or matching initials).
//! 3. [`Merger`]: across documents, incrementally, with user aliases and re-grouping.
//!
//! ```
//! use kroniek_core::entities::{link, Merger};
//! use kroniek_core::ner::{EntityType, NameMention};
//! use kroniek_core::{PubDate, Span};
//!
//! let text = "Abu Bakr Al-Baghdadi leidt ISIS. Al-Baghdadi zweeg.";
//! let m = |a: usize, b: usize, t| NameMention { span: Span::new(a, b), etype: t, tokens: 0..0, cued: false };
//! let doc = link(text, &[m(0, 20, EntityType::Per), m(27, 31, EntityType::Org), m(33, 44, EntityType::Per)]);
//! assert_eq!(doc.entities.len(), 2);
//! assert_eq!(doc.mentions[2].key, "abu bakr baghdadi");
//! let mut merger = Merger::new();
//! let ids = merger.add_document(1, PubDate::Unknown, doc.entities);
//! assert_eq!(merger.find("al-Baghdadi"), vec![ids[0]]);
//! ```

mod document;
mod merge;
mod normalize;

pub use document::{group, link, DocEntities, DocEntity, EntityMention};
pub use merge::{EntityId, GlobalEntity, Merger};
pub use normalize::{is_acronym_of, looks_like_acronym, name_parts, normalize, surname};

#[cfg(test)]
mod tests;
