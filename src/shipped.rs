//! The policies shipped in `policies/`, compiled into the binary so that
//! `proviso check` works with nothing else installed.

use crate::source::Source;
use std::sync::Arc;

/// The file that declares the shipped `partnership/v1` schema.
pub const SCHEMA_FILE: &str = "policies/partnership.proviso";

pub const POLICIES: &[(&str, &str)] = &[
    (
        "policies/partnership.proviso",
        include_str!("../policies/partnership.proviso"),
    ),
    (
        "policies/ftc2012.proviso",
        include_str!("../policies/ftc2012.proviso"),
    ),
    (
        "policies/ftc2019.proviso",
        include_str!("../policies/ftc2019.proviso"),
    ),
    (
        "policies/lifecycle.proviso",
        include_str!("../policies/lifecycle.proviso"),
    ),
    (
        "policies/gdpr.proviso",
        include_str!("../policies/gdpr.proviso"),
    ),
];

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
