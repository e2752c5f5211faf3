//! The values the generator draws from: the enums of `partnership/v1`, the
//! EEA and the rule ids, all read from the shipped catalogue; countries
//! outside the EEA, purposes, and words for names and descriptions.

use proviso::check::Program;
use proviso::schema::Ty;
use proviso::value::Value;
use std::sync::LazyLock;

/// The shipped catalogue: the enums, the EEA and the rule ids are read from
/// it, so the generator draws from exactly what proviso checks.
static PROGRAM: LazyLock<Program> =
    LazyLock::new(|| proviso::shipped::program().expect("the shipped catalogue checks"));

/// The values of an enum of `partnership/v1`, in declaration order. The
/// enum is found through the schema's records: a name alone may be
/// declared by more than one policy file.
fn values(name: &str) -> Vec<&'static str> {
    let types = &PROGRAM.types;
    let (_, schema) = types
        .schema("partnership/v1")
        .expect("the catalogue declares `partnership/v1`");
    let mut records = vec![schema.root];
    let mut seen = records.clone();
    while let Some(id) = records.pop() {
        let mut named = Vec::new();
        for field in &types.record(id).expect("a declared record").fields {
            named_types(&field.ty, &mut named);
        }
        for ty in named {
            match ty {
                Ty::Enum(e) => {
                    let def = types.enum_def(*e).expect("a declared enum");
                    if def.name == name {
                        return def.values.iter().map(String::as_str).collect();
                    }
                }
                Ty::Record(r) if !seen.contains(r) => {
                    seen.push(*r);
                    records.push(*r);
                }
                _ => {}
            }
        }
    }
    panic!("the schema has no enum `{name}`")
}

/// The enums and records a type is made of.
fn named_types<'a>(ty: &'a Ty, out: &mut Vec<&'a Ty>) {
    match ty {
        Ty::Optional(inner) | Ty::List(inner) => named_types(inner, out),
        Ty::Map(k, v) => {
            named_types(k, out);
            named_types(v, out);
        }
        Ty::Enum(_) | Ty::Record(_) => out.push(ty),
        Ty::Bool | Ty::Int | Ty::Str | Ty::Date | Ty::Duration => {}
    }
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
    let eea = PROGRAM
        .types
        .consts
        .iter()
        .find(|c| c.name == "EEA")
        .expect("the catalogue declares `EEA`");
    let Ty::List(elem) = &eea.ty else {
        panic!("`EEA` is a `{}`", PROGRAM.types.display(&eea.ty));
    };
    let Ty::Enum(country) = **elem else {
        panic!("`EEA` is a `{}`", PROGRAM.types.display(&eea.ty));
    };
    let countries = &PROGRAM
        .types
        .enum_def(country)
        .expect("a declared enum")
        .values;
    let Value::List(items) = &eea.value else {
        panic!("`EEA` is not a list");
    };
    items
        .iter()
        .map(|v| match v {
            Value::Enum(i) => countries[*i as usize].as_str(),
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
