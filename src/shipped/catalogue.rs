//! The shipped policy files, in the order they load: the schema first.
//! The build script reads this list too (build.rs), so the image it makes
//! and the texts compiled into the binary are always the same files.
//!
//! They are named `builtin:` and their file name: they are compiled into
//! proviso, and a user has no `policies/` directory to open. Every
//! diagnostic, report and `proviso show` shows them under these names.

/// The file that declares the shipped `partnership/v1` schema.
pub const SCHEMA_FILE: &str = "builtin:partnership.proviso";

pub const POLICIES: &[(&str, &str)] = &[
    (
        "builtin:partnership.proviso",
        include_str!("../../policies/partnership.proviso"),
    ),
    (
        "builtin:ftc2012.proviso",
        include_str!("../../policies/ftc2012.proviso"),
    ),
    (
        "builtin:ftc2019.proviso",
        include_str!("../../policies/ftc2019.proviso"),
    ),
    (
        "builtin:lifecycle.proviso",
        include_str!("../../policies/lifecycle.proviso"),
    ),
    (
        "builtin:gdpr.proviso",
        include_str!("../../policies/gdpr.proviso"),
    ),
    (
        "builtin:repo.proviso",
        include_str!("../../policies/repo.proviso"),
    ),
];
