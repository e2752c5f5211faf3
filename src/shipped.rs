//! The policies shipped in `policies/`, compiled into the binary so that
//! `proviso check` works with nothing else installed.
//!
//! They are parsed and checked when proviso is built (build.rs): a shipped
//! policy with an error fails the build, and the checked program is stored
//! beside their text as an image that [`program`] reads back, so that a run
//! does not parse and check the same text again.

mod catalogue;

use crate::check::{compile, image, Program};
use crate::diagnostics::Diag;
use crate::source::Source;
use std::sync::Arc;

pub use catalogue::{POLICIES, SCHEMA_FILE};

/// The image of the checked shipped policies, made by build.rs.
const IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shipped.image"));

/// Every shipped policy file, as sources.
pub fn sources() -> Vec<Arc<Source>> {
    POLICIES
        .iter()
        .map(|(name, text)| Source::new(*name, *text))
        .collect()
}

/// The shipped schema file alone.
pub fn schema() -> Arc<Source> {
    let text = POLICIES
        .iter()
        .find(|(name, _)| *name == SCHEMA_FILE)
        .map_or("", |(_, text)| *text);
    Source::new(SCHEMA_FILE, text)
}

/// The shipped policies, checked: the program [`compile`] makes of
/// [`sources`], read from the build's image. Should the image not match
/// the sources, they are compiled here instead.
pub fn program() -> Result<Program, Vec<Diag>> {
    program_of(&sources())
}

/// [`program`], its spans into the given [`sources`].
pub fn program_of(sources: &[Arc<Source>]) -> Result<Program, Vec<Diag>> {
    match image::decode(IMAGE, sources) {
        Some(program) => Ok(program),
        None => compile(sources),
    }
}

/// The shipped policies as read from the build's image alone, without the
/// fallback of [`program`]: `None` when the image does not match.
pub fn program_from_image() -> Option<Program> {
    image::decode(IMAGE, &sources())
}

/// Whether a source name is one of the shipped policy files.
pub fn is_shipped(name: &str) -> bool {
    POLICIES.iter().any(|(n, _)| *n == name)
}
