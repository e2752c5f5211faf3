//! The values the generator draws from: the enums of `partnership/v1`, the
//! EEA and the rule ids, all read from the shipped catalogue; countries
//! outside the EEA, purposes, and words for names and descriptions.

use proviso::check::Program;
use proviso::value::Value;
use std::sync::LazyLock;

/// The shipped catalogue: the enums, the EEA and the rule ids are read from
/// it, so the generator draws from exactly what proviso checks.
static PROGRAM: LazyLock<Program> =
    LazyLock::new(|| proviso::shipped::program().expect("the shipped catalogue checks"));

/// The values of an enum of `partnership/v1`, in declaration order.
fn values(name: &str) -> Vec<&'static str> {
    PROGRAM
        .types
        .enums
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("the schema has no enum `{name}`"))
        .values
        .iter()
        .map(String::as_str)
        .collect()
}

pub static PARTNER_KINDS: LazyLock<Vec<&str>> = LazyLock::new(|| values("PartnerKind"));
pub static ROLES: LazyLock<Vec<&str>> = LazyLock::new(|| values("Role"));
pub static AGREEMENT_TYPES: LazyLock<Vec<&str>> = LazyLock::new(|| values("AgreementType"));
pub static DATA: LazyLock<Vec<&str>> = LazyLock::new(|| values("Data"));
pub static SUBJECTS: LazyLock<Vec<&str>> = LazyLock::new(|| values("Subject"));
pub static OPERATIONS: LazyLock<Vec<&str>> = LazyLock::new(|| values("Operation"));
pub static LAWFUL_BASES: LazyLock<Vec<&str>> = LazyLock::new(|| values("LawfulBasis"));
pub static MECHANISMS: LazyLock<Vec<&str>> = LazyLock::new(|| values("ConsentMechanism"));
pub static STORAGE: LazyLock<Vec<&str>> = LazyLock::new(|| values("Storage"));
pub static TRANSFER_MECHANISMS: LazyLock<Vec<&str>> = LazyLock::new(|| values("TransferMechanism"));
/// The transfer mechanisms that make a transfer lawful (all but `none`).
pub static LAWFUL_TRANSFERS: LazyLock<Vec<&str>> = LazyLock::new(|| {
    TRANSFER_MECHANISMS
        .iter()
        .copied()
        .filter(|m| *m != "none")
        .collect()
});
/// The catalogue's `const EEA`.
pub static EEA: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let countries = values("Country");
    let eea = PROGRAM
        .types
        .consts
        .iter()
        .find(|c| c.name == "EEA")
        .expect("the catalogue declares `EEA`");
    let Value::List(items) = &eea.value else {
        panic!("`EEA` is not a list");
    };
    items
        .iter()
        .map(|v| match v {
            Value::Enum(i) => countries[*i as usize],
            other => panic!("`EEA` holds {other:?}"),
        })
        .collect()
});
pub const ELSEWHERE: &[&str] = &[
    "US", "CA", "GB", "CH", "JP", "KR", "CN", "IN", "BR", "AU", "RU", "SG", "IL", "ZA", "MX", "AR",
    "TR", "AE", "NZ", "HK",
];
/// The shipped catalogue's rule ids, for waivers.
pub static RULES: LazyLock<Vec<&str>> =
    LazyLock::new(|| PROGRAM.rules.iter().map(|r| r.id.as_str()).collect());
pub const WORDS: &[&str] = &[
    "aurora", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper",
    "kestrel", "lumen", "maple", "nimbus", "onyx", "prairie", "quartz", "raven", "sierra",
    "tundra", "umber", "vale", "willow", "xenon", "yarrow", "zephyr",
];
pub const PURPOSES: &[&str] = &[
    "messaging",
    "personalization",
    "payments",
    "search",
    "contacts_sync",
    "recommendations",
    "analytics",
];
