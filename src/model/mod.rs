//! The vocabulary every stage shares: where a field is in an object ([`PathSeg`]), what a
//! rule reports about it ([`Finding`], [`Location`], [`Severity`]), under which [`Profile`],
//! and where the value came from ([`ValueSource`]). Nothing here depends on a stage, so each
//! stage can name these types without importing the next one.

mod finding;
mod path;
mod severity;
mod source;

pub(crate) use finding::unstable_name_key;
pub(crate) use finding::{
    fingerprint, Finding, Location, ObjectRef, RelatedLocation, Suppression, SuppressionKind,
    Target, WRITTEN_BY,
};
pub(crate) use path::{keys, path_to_string, PathSeg};
pub(crate) use severity::{Profile, Severity};
pub(crate) use source::{MappedBy, ValueSource};
