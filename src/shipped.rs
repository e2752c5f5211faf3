//! The policies shipped in `policies/`, compiled into the binary so that
//! `proviso check` works with nothing else installed.

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
