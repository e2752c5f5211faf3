//! The two generated corpora: `partnership/v1` manifests written straight
//! as YAML text from a seeded generator, so a corpus of any size is the same
//! on every machine and is written in seconds.
//!
//! One generator makes both. Every choice it makes has a compliant value
//! (what a manifest that passes every shipped rule would hold) and a value
//! drawn from the whole of the field's domain: its enum, a date between 2008
//! and 2021, a duration up to ten years, present or absent when optional.
//! The compliant corpus always takes the first; the findings corpus takes
//! the second at each choice with probability `WILD`, so most of its files
//! break several rules, each in its own way, and all of them still match
//! the schema (ids stay unique within their lists, counts non-negative).
//! A quarter of its files also carry waivers, good and bad.

use crate::domain::{
    AGREEMENT_TYPES, DATA, EEA, ELSEWHERE, LAWFUL_BASES, LAWFUL_TRANSFERS, MECHANISMS, OPERATIONS,
    PARTNER_KINDS, PURPOSES, ROLES, RULES, STORAGE, SUBJECTS, TRANSFER_MECHANISMS, WORDS,
};
use proviso::date::Date;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How often a choice in the findings corpus leaves the compliant path.
const WILD: f64 = 0.12;

/// Bumped whenever the generator changes, so a cached corpus is remade.
const GENERATOR_VERSION: u32 = 4;

/// The date the benchmark checks as of (`--as-of`, and `today` in Rego).
pub const TODAY: &str = "2018-12-18";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Findings,
    Compliant,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Findings => "findings",
            Kind::Compliant => "compliant",
        }
    }
}

/// Writes `n` manifests of `kind` into `root/<kind>-<n>-s<seed>-v<version>/`
/// unless a complete copy is already there, and returns that directory.
pub fn ensure(root: &Path, kind: Kind, n: usize, seed: u64) -> PathBuf {
    let dir = root.join(format!("{}-{n}-s{seed}-v{GENERATOR_VERSION}", kind.name()));
    let done = root.join(format!(
        "{}-{n}-s{seed}-v{GENERATOR_VERSION}.complete",
        kind.name()
    ));
    if done.exists() {
        return dir;
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    (0..n)
        .into_par_iter()
        .for_each_init(String::new, |text, i| {
            text.clear();
            manifest(text, kind, seed, i);
            std::fs::write(dir.join(file_name(i)), text.as_bytes()).unwrap();
        });
    std::fs::write(&done, b"").unwrap();
    dir
}

pub fn file_name(i: usize) -> String {
    format!("m{i:06}.yaml")
}

/// splitmix64: small, fast, and good enough to draw test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, kind: Kind, i: usize) -> Rng {
        let mut rng =
            Rng(seed ^ ((kind as u64) << 62) ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() as i64 - 1) as usize]
    }
    /// `k` distinct items, in their listed order.
    fn subset<'a>(&mut self, items: &[&'a str], k: usize) -> Vec<&'a str> {
        let mut chosen = vec![false; items.len()];
        let mut left = k.min(items.len());
        while left > 0 {
            let j = self.range(0, items.len() as i64 - 1) as usize;
            if !chosen[j] {
                chosen[j] = true;
                left -= 1;
            }
        }
        items
            .iter()
            .zip(chosen)
            .filter_map(|(item, c)| c.then_some(*item))
            .collect()
    }
}

/// Days since 1970-01-01 of a date written `YYYY-MM-DD`.
fn day_number(date: &str) -> i64 {
    Date::parse(date).expect("a valid date").0
}

fn write_date(out: &mut String, day: i64) {
    write!(out, "{}", Date(day)).unwrap();
}

/// A choice point: the compliant corpus never leaves the compliant path,
/// the findings corpus does with probability `WILD`.
struct Gen {
    rng: Rng,
    wild: f64,
    today: i64,
    first: i64,
    last: i64,
}

impl Gen {
    /// A grant's duration field: within `compliant` days, or, off the
    /// compliant path, missing half the time or up to `wild` days.
    fn limit(&mut self, out: &mut String, field: &str, compliant: i64, wild: i64) {
        let most = if self.wild() {
            if self.rng.chance(0.5) {
                return;
            }
            wild
        } else {
            compliant
        };
        write!(out, "    {field}: ").unwrap();
        self.duration(out, 1, most);
        out.push('\n');
    }

    fn wild(&mut self) -> bool {
        self.wild > 0.0 && self.rng.chance(self.wild)
    }
    fn any_date(&mut self) -> i64 {
        self.rng.range(self.first, self.last)
    }
    /// A duration of `lo..=hi` days, written in days or, when it divides,
    /// sometimes in weeks.
    fn duration(&mut self, out: &mut String, lo: i64, hi: i64) {
        let days = self.rng.range(lo, hi);
        if days % 7 == 0 && self.rng.chance(0.5) {
            write!(out, "{}w", days / 7).unwrap();
        } else {
            write!(out, "{days}d").unwrap();
        }
    }
    fn words(&mut self, out: &mut String, k: i64) {
        let k = self.rng.range(1, k);
        for j in 0..k {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(self.rng.pick(WORDS));
        }
    }
}

fn list(out: &mut String, items: &[&str]) {
    out.push('[');
    for (j, item) in items.iter().enumerate() {
        if j > 0 {
            out.push_str(", ");
        }
        out.push_str(item);
    }
    out.push(']');
}

/// What governance must follow from one grant.
struct GrantPlan {
    granted: i64,
    large: bool,
}

/// Writes manifest `i` of a corpus into `out`.
pub fn manifest(out: &mut String, kind: Kind, seed: u64, i: usize) {
    let mut g = Gen {
        rng: Rng::new(seed, kind, i),
        wild: if kind == Kind::Findings { WILD } else { 0.0 },
        today: day_number(TODAY),
        first: day_number("2008-01-01"),
        last: day_number("2021-12-31"),
    };
    let today = g.today;
    let findings = kind == Kind::Findings;

    out.push_str(
        "# Generated for the benchmark (benches/compare).\nschema: partnership/v1\npartner:\n",
    );
    let word = g.rng.pick(WORDS);
    writeln!(out, "  id: p{i}-{word}").unwrap();
    out.push_str("  name: ");
    g.words(out, 2);
    out.push_str(" AG\n");
    writeln!(out, "  kind: {}", g.rng.pick(&PARTNER_KINDS)).unwrap();
    let in_eea = if g.wild() {
        g.rng.chance(0.3)
    } else {
        g.rng.chance(0.6)
    };
    let country = if in_eea {
        g.rng.pick(&EEA)
    } else {
        g.rng.pick(ELSEWHERE)
    };
    writeln!(out, "  country: \"{country}\"").unwrap();
    if g.rng.chance(0.5) {
        writeln!(out, "  owner: partnerships+{word}@platform.example").unwrap();
    }
    let role = g.rng.pick(&ROLES);
    writeln!(out, "role: {role}").unwrap();
    let claims_provider = role == "service_provider" || role == "processor";
    let own_use = if g.wild() || !claims_provider {
        g.rng.chance(0.5)
    } else {
        false
    };
    writeln!(out, "own_purpose_use: {own_use}").unwrap();

    // Agreements: the first one is in force today and binds purpose and
    // onward transfer, unless the draw says otherwise.
    let agreements = if findings {
        g.rng.range(0, 3)
    } else {
        g.rng.range(1, 3)
    };
    out.push_str(if agreements == 0 {
        "agreements: []\n"
    } else {
        "agreements:\n"
    });
    for k in 0..agreements {
        let compliant = k == 0 && !g.wild();
        let signed = if compliant {
            today - g.rng.range(30, 3000)
        } else {
            g.any_date()
        };
        write!(
            out,
            "  - id: AGR-{k}-{}\n    type: {}\n    signed: ",
            g.rng.range(100, 999),
            g.rng.pick(&AGREEMENT_TYPES)
        )
        .unwrap();
        write_date(out, signed);
        out.push('\n');
        let expires = if compliant {
            g.rng.chance(0.5).then(|| today + g.rng.range(0, 1500))
        } else {
            g.rng.chance(0.5).then(|| signed + g.rng.range(30, 3000))
        };
        if let Some(expires) = expires {
            out.push_str("    expires: ");
            write_date(out, expires);
            out.push('\n');
        }
        let restricted = compliant || g.rng.chance(0.5);
        let onward = compliant || g.rng.chance(0.5);
        writeln!(
            out,
            "    purpose_restricted: {restricted}\n    onward_transfer_prohibited: {onward}"
        )
        .unwrap();
    }

    // Features, each with its launch and, for some, retirement.
    let features = if findings {
        g.rng.range(0, 4)
    } else {
        g.rng.range(1, 4)
    };
    let mut retired: Vec<Option<i64>> = Vec::new();
    let mut launched: Vec<i64> = Vec::new();
    let mut feature_ids: Vec<String> = Vec::new();
    out.push_str(if features == 0 {
        "features: []\n"
    } else {
        "features:\n"
    });
    for k in 0..features {
        let launch = g.rng.range(g.first, today - 180);
        let retire = g.rng.chance(0.4).then(|| launch + g.rng.range(60, 3000));
        let id = format!("feature-{k}-{}", g.rng.pick(WORDS));
        write!(out, "  - id: {id}\n    description: ").unwrap();
        g.words(out, 6);
        out.push_str("\n    purposes: ");
        let n = g.rng.range(1, 3) as usize;
        let purposes = g.rng.subset(PURPOSES, n);
        list(out, &purposes);
        out.push_str("\n    launched: ");
        write_date(out, launch);
        out.push('\n');
        if let Some(r) = retire {
            out.push_str("    retired: ");
            write_date(out, r);
            out.push('\n');
        }
        launched.push(launch);
        feature_ids.push(id);
        retired.push(retire);
    }

    // Grants.
    let grants = g.rng.range(1, 8);
    let mut plans = Vec::new();
    let mut live = false;
    out.push_str("grants:\n");
    for k in 0..grants {
        let feature = if features == 0 || g.wild() {
            None
        } else {
            Some(g.rng.range(0, features - 1) as usize)
        };
        write!(out, "  - id: grant-{k}\n    feature: ").unwrap();
        match feature {
            Some(f) => out.push_str(&feature_ids[f]),
            None => write!(out, "missing-{}", g.rng.pick(WORDS)).unwrap(),
        }
        write!(
            out,
            "\n    api: {}/{}\n    data: ",
            g.rng.pick(WORDS),
            g.rng.pick(WORDS)
        )
        .unwrap();
        let n = g.rng.range(1, 4) as usize;
        let data = g.rng.subset(&DATA, n);
        list(out, &data);
        let special = data.iter().any(|d| d.starts_with("special."));
        let messages = data
            .iter()
            .any(|d| *d == "content.private_messages" || *d == "content.message_participants");

        out.push_str("\n    subjects: ");
        let n = g.rng.range(1, 3) as usize;
        let subjects = g.rng.subset(&SUBJECTS, n);
        list(out, &subjects);
        out.push_str("\n    operations: ");
        let n = g.rng.range(1, 4) as usize;
        let operations = g.rng.subset(&OPERATIONS, n);
        list(out, &operations);
        let touches = operations
            .iter()
            .any(|o| matches!(*o, "read" | "write" | "delete"));
        out.push_str("\n    necessity:");
        let mut justified = 0;
        for op in &operations {
            if !g.wild() {
                write!(out, "\n      {op}: needed to ").unwrap();
                g.words(out, 4);
                justified += 1;
            }
        }
        if justified == 0 {
            out.push_str(" {}");
        }

        let lawful_basis = if special && !g.wild() {
            "consent"
        } else {
            g.rng.pick(&LAWFUL_BASES)
        };
        writeln!(out, "\n    lawful_basis: {lawful_basis}").unwrap();
        let mechanism = if g.wild() {
            g.rng.pick(&MECHANISMS)
        } else if special {
            "per_scope_opt_in"
        } else if messages && touches {
            g.rng.pick(&["per_scope_opt_in", "per_feature_opt_in"])
        } else if lawful_basis == "consent" {
            g.rng
                .pick(&["platform_login", "per_scope_opt_in", "per_feature_opt_in"])
        } else {
            g.rng.pick(&MECHANISMS)
        };
        write!(
            out,
            "    consent:\n      mechanism: {mechanism}\n      covers: "
        )
        .unwrap();
        let covers: Vec<&str> = if g.wild() {
            let n = g.rng.range(0, 2) as usize;
            g.rng.subset(&SUBJECTS, n)
        } else {
            SUBJECTS
                .iter()
                .copied()
                .filter(|s| subjects.contains(s) || g.rng.chance(0.2))
                .collect()
        };
        list(out, &covers);
        let recorded = if g.wild() {
            g.rng.chance(0.5)
        } else {
            messages || g.rng.chance(0.7)
        };
        writeln!(
            out,
            "\n      recorded: {recorded}\n      withdrawable: {}",
            g.rng.chance(0.8)
        )
        .unwrap();
        let honors = !g.wild() || g.rng.chance(0.5);
        let hides = g.wild() && g.rng.chance(0.5);
        writeln!(out, "    honors_privacy_settings: {honors}\n    hides_access_indicators: {hides}\n    storage: {}", g.rng.pick(&STORAGE)).unwrap();
        g.limit(out, "retention", 365, 3650);
        g.limit(out, "deletion_propagation", 30, 180);
        let large = g.rng.chance(0.5) && {
            let users = 10_i64.pow(g.rng.range(2, 7) as u32) * g.rng.range(1, 9);
            writeln!(out, "    monthly_users: {users}").unwrap();
            users >= 1_000_000
        };

        // Lifecycle: granted after its feature launched; revoked within 30
        // days of the feature's retirement when that has passed; last access
        // before both.
        let launch = feature.map_or(g.first, |f| launched[f]);
        let retire = feature.and_then(|f| retired[f]);
        let granted = if g.wild() {
            g.any_date()
        } else {
            let until = retire.unwrap_or(today).min(today);
            g.rng.range(launch, until.max(launch))
        };
        out.push_str("    granted: ");
        write_date(out, granted);
        out.push('\n');
        let revoked = if g.wild() {
            g.rng.chance(0.5).then(|| g.any_date())
        } else {
            match retire {
                Some(r) if r <= today => Some(g.rng.range(granted, (r + 30).max(granted))),
                _ => g.rng.chance(0.4).then(|| granted + g.rng.range(0, 2000)),
            }
        };
        if let Some(revoked) = revoked {
            out.push_str("    revoked: ");
            write_date(out, revoked);
            out.push('\n');
        }
        let last_access = if g.wild() {
            g.rng.chance(0.5).then(|| g.any_date())
        } else {
            let mut until = revoked.unwrap_or(today).min(today);
            if let Some(r) = retire {
                until = until.min(r + 30);
            }
            g.rng
                .chance(0.6)
                .then(|| g.rng.range(granted.min(until), until))
        };
        if let Some(last) = last_access {
            out.push_str("    last_access: ");
            write_date(out, last);
            out.push('\n');
        }
        live |= granted <= today && revoked.is_none_or(|r| r > today);
        plans.push(GrantPlan { granted, large });
    }

    // Transfers: a partner outside the EEA receives the data at home, so a
    // compliant manifest declares that transfer with a mechanism.
    let mut transfers: Vec<(&str, &str)> = Vec::new();
    if !in_eea && !g.wild() {
        transfers.push((country, g.rng.pick(&LAWFUL_TRANSFERS)));
    }
    for _ in 0..g.rng.range(0, 3 - transfers.len() as i64) {
        let to = if g.rng.chance(0.5) {
            g.rng.pick(&EEA)
        } else {
            g.rng.pick(ELSEWHERE)
        };
        let mechanism = if g.wild() {
            g.rng.pick(&TRANSFER_MECHANISMS)
        } else {
            g.rng.pick(&LAWFUL_TRANSFERS)
        };
        transfers.push((to, mechanism));
    }
    if transfers.is_empty() {
        if g.rng.chance(0.5) {
            out.push_str("transfers: []\n");
        }
    } else {
        out.push_str("transfers:\n");
        for (to, mechanism) in &transfers {
            writeln!(out, "  - country: \"{to}\"\n    mechanism: {mechanism}").unwrap();
        }
    }

    // Governance: the privacy review and (for large grants) the DPIA come
    // before the first grant; a partner with live access certified within
    // the year.
    let earliest = plans.iter().map(|p| p.granted).min().unwrap_or(today);
    let large = plans.iter().any(|p| p.large);
    out.push_str("governance:\n");
    let review = if g.wild() {
        g.rng.chance(0.5).then(|| g.any_date())
    } else {
        Some(earliest - g.rng.range(0, 200))
    };
    let dpia = if g.wild() {
        g.rng.chance(0.5).then(|| g.any_date())
    } else if large {
        Some(earliest - g.rng.range(0, 200))
    } else {
        g.rng.chance(0.5).then(|| earliest - g.rng.range(0, 200))
    };
    let certification = if g.wild() {
        g.rng.chance(0.5).then(|| g.any_date())
    } else if live {
        Some(today - g.rng.range(0, 365))
    } else {
        g.rng.chance(0.5).then(|| g.any_date().min(today))
    };
    for (key, date) in [
        ("privacy_review", review),
        ("dpia", dpia),
        ("last_certification", certification),
    ] {
        if let Some(date) = date {
            write!(out, "  {key}: ").unwrap();
            write_date(out, date);
            out.push('\n');
        }
    }
    writeln!(out, "  access_logs: {}", g.rng.chance(0.8)).unwrap();

    // Waivers, in the findings corpus only: most of them in force and about
    // a rule of the catalogue, for the whole manifest or one grant; some
    // expired or running too long, some for a built-in check, a misspelt
    // rule or a grant the manifest does not have.
    if findings && g.rng.chance(0.25) {
        out.push_str("waivers:\n");
        for _ in 0..g.rng.range(1, 2) {
            let rule = match g.rng.range(0, 19) {
                0 => "manifest/schema",
                1 => "gdpr/retension",
                _ => g.rng.pick(&RULES),
            };
            writeln!(out, "  - rule: {rule}").unwrap();
            match g.rng.range(0, 9) {
                0..=4 => writeln!(out, "    grant: grant-{}", g.rng.range(0, grants - 1)).unwrap(),
                5 => writeln!(out, "    grant: grant-{}", grants + 3).unwrap(),
                _ => {}
            }
            write!(
                out,
                "    reason: accepted in review LEGAL-{}\n    approved_by: privacy-legal\n    expires: ",
                g.rng.range(100, 999)
            )
            .unwrap();
            write_date(out, today + g.rng.range(-120, 480));
            out.push('\n');
        }
    }
}
