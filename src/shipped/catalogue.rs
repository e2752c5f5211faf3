//! The shipped policy files, in the order they load: the schema first.
//! The build script reads this list too (build.rs), so the image it makes
//! and the texts compiled into the binary are always the same files.

/// The file that declares the shipped `partnership/v1` schema.
pub const SCHEMA_FILE: &str = "policies/partnership.proviso";

pub const POLICIES: &[(&str, &str)] = &[
    (
        "policies/partnership.proviso",
        include_str!("../../policies/partnership.proviso"),
    ),
    (
        "policies/ftc2012.proviso",
        include_str!("../../policies/ftc2012.proviso"),
    ),
    (
        "policies/ftc2019.proviso",
        include_str!("../../policies/ftc2019.proviso"),
    ),
    (
        "policies/lifecycle.proviso",
        include_str!("../../policies/lifecycle.proviso"),
    ),
    (
        "policies/gdpr.proviso",
        include_str!("../../policies/gdpr.proviso"),
    ),
    (
        "policies/repo.proviso",
        include_str!("../../policies/repo.proviso"),
    ),
];
