//! Waivers: a manifest's accepted exceptions to a rule, until they expire.
//!
//! A waiver names a rule and optionally one grant. While `today <=
//! expires` it marks the matching findings as waived: they are still
//! reported and counted, but do not fail the run. An expired waiver silences
//! nothing and is itself an error; a waiver naming no loaded rule is an
//! error; a waiver that expires further ahead than the maximum silences
//! nothing and is an error too, so that "until 9999" cannot stand in for a
//! decision; an active waiver that matched nothing is a warning. Built-in
//! findings (`manifest/*`, `proviso/*`) cannot be waived.

use crate::builtin::Builtin;
use crate::check::Program;
use crate::date::Date;
use crate::diagnostics::{Finding, Waived};
use crate::manifest::path::{Path, Seg};
use crate::schema::{Ty, Types};
use crate::suggest::did_you_mean;
use crate::value::Value;
use std::collections::{HashMap, HashSet};

/// A waiver as declared in a manifest.
#[derive(Debug)]
pub struct Waiver {
    pub rule: String,
    pub grant: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: Date,
    pub pointer: Path,
}

/// A problem with a waiver itself, to be reported at `pointer`.
#[derive(Debug)]
pub struct WaiverProblem {
    pub rule: Builtin,
    pub message: String,
    pub help: Option<String>,
    pub pointer: Path,
    pub label: String,
    /// The value at `pointer` that fixes the waiver ("did you mean").
    pub replacement: Option<String>,
}

pub(crate) fn field<'v>(types: &Types, ty: &Ty, value: &'v Value, name: &str) -> Option<&'v Value> {
    let Ty::Record(rid) = ty.required() else {
        return None;
    };
    let (index, _) = types.record(*rid)?.field(name)?;
    match value {
        Value::Record(fields) => fields.get(index)?.as_ref(),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Reads the `waivers` of a manifest whose root record is `root`.
pub fn read(types: &Types, root: &Ty, manifest: &Value) -> Vec<Waiver> {
    let Some(Value::List(items)) = field(types, root, manifest, "waivers") else {
        return Vec::new();
    };
    let elem = match types.record_field_ty(root, "waivers").map(Ty::required) {
        Some(Ty::List(elem)) => (*elem).clone(),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let expires = match field(types, &elem, item, "expires") {
            Some(Value::Date(d)) => *d,
            _ => continue,
        };
        out.push(Waiver {
            rule: text(field(types, &elem, item, "rule")).unwrap_or_default(),
            grant: text(field(types, &elem, item, "grant")),
            reason: text(field(types, &elem, item, "reason")).unwrap_or_default(),
            approved_by: text(field(types, &elem, item, "approved_by")).unwrap_or_default(),
            expires,
            pointer: Path::root().key("waivers").index(i),
        });
    }
    out
}

/// The id of the grant a finding is about: the grant its rule was bound to
/// with `each`. A finding of a rule that is not bound to one grant (`all
/// grant in grants: ...`) is about no single grant, so no grant-scoped
/// waiver covers it.
fn grant_of(types: &Types, root: &Ty, manifest: &Value, finding: &Finding) -> Option<String> {
    let Some(Value::List(grants)) = field(types, root, manifest, "grants") else {
        return None;
    };
    let elem = match types.record_field_ty(root, "grants").map(Ty::required) {
        Some(Ty::List(elem)) => (*elem).clone(),
        _ => return None,
    };
    let index = finding.bindings.iter().find_map(|p| match p.segs() {
        [Seg::Key(k), Seg::Index(i), ..] if k == "grants" => Some(*i),
        _ => None,
    })?;
    text(field(types, &elem, grants.get(index)?, "id"))
}

/// Which findings a call to [`apply`] is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Findings {
    /// The findings of the rules that check one manifest at a time: every
    /// problem with a waiver is reported, except that a waiver of a rule
    /// across manifests is not "unused" here (its findings come later).
    OfManifest,
    /// The findings of rules across manifests that point into this
    /// manifest: only waivers of those rules apply, and of their problems
    /// only "unused" is new (the others were reported with the manifest's
    /// own findings).
    Across,
}

/// Marks the findings that active waivers cover, and returns the problems
/// with the waivers themselves. A waiver may run at most `max_days` past
/// `today`.
pub fn apply(
    program: &Program,
    root: &Ty,
    manifest: &Value,
    (today, max_days): (Date, i64),
    given: Findings,
    findings: &mut [Finding],
) -> Vec<WaiverProblem> {
    let mut problems = apply_all(program, root, manifest, today, max_days, given, findings);
    if given == Findings::Across {
        problems.retain(|p| p.rule == Builtin::WaiverUnused);
    }
    problems
}

fn apply_all(
    program: &Program,
    root: &Ty,
    manifest: &Value,
    today: Date,
    max_days: i64,
    given: Findings,
    findings: &mut [Finding],
) -> Vec<WaiverProblem> {
    let types = &program.types;
    let mut problems = Vec::new();
    // Findings by rule, each finding's grant, and the manifest's grant ids
    // are worked out once, so that many waivers against many findings cost
    // their sum, not their product.
    let mut by_rule: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_rule.entry(f.rule.clone()).or_default().push(i);
    }
    let mut grant_cache: HashMap<usize, Option<String>> = HashMap::new();
    let mut grants: Option<(Vec<String>, HashSet<String>)> = None;
    for waiver in read(types, root, manifest) {
        let rule_ptr = waiver.pointer.key("rule");
        let across = program.rule(&waiver.rule).is_some_and(|r| r.across);
        if given == Findings::Across && !across {
            continue;
        }
        if program.rule(&waiver.rule).is_none() {
            let known_builtin = Builtin::from_id(&waiver.rule).is_some();
            let builtin = known_builtin
                || waiver.rule.starts_with("manifest/")
                || waiver.rule.starts_with("proviso/");
            let ids = program.rules.iter().map(|r| r.id.as_str());
            let mut replacement = None;
            let (message, help) = if builtin {
                (
                    if known_builtin {
                        format!("`{}` is a built-in check and cannot be waived", waiver.rule)
                    } else {
                        format!(
                            "`{}` names no rule, and the built-in checks it looks like cannot be waived",
                            waiver.rule
                        )
                    },
                    Some(
                        "fix the manifest instead: a broken manifest is never silenced".to_string(),
                    ),
                )
            } else {
                replacement = did_you_mean(&waiver.rule, ids).map(str::to_string);
                (
                    format!(
                        "the waiver names `{}`, which is not a loaded rule",
                        waiver.rule
                    ),
                    Some(match &replacement {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "list the rules with `proviso rules`".to_string(),
                    }),
                )
            };
            problems.push(WaiverProblem {
                rule: Builtin::WaiverUnknownRule,
                message,
                help,
                pointer: rule_ptr,
                label: "no such rule".into(),
                replacement,
            });
            continue;
        }
        if today > waiver.expires {
            problems.push(WaiverProblem {
                rule: Builtin::WaiverExpired,
                message: format!(
                    "the waiver of `{}` expired on {}; the findings it covered are reported again",
                    waiver.rule, waiver.expires
                ),
                help: Some(
                    "fix the findings, or renew the waiver with a new approval and `expires` date"
                        .into(),
                ),
                pointer: waiver.pointer.key("expires"),
                label: "expired".into(),
                replacement: None,
            });
            continue;
        }
        let latest = Date(today.0.saturating_add(max_days));
        if waiver.expires > latest {
            problems.push(WaiverProblem {
                rule: Builtin::WaiverTooLong,
                message: format!(
                    "the waiver of `{}` runs until {}, more than {max_days} days after {today}; it silences nothing",
                    waiver.rule, waiver.expires
                ),
                help: Some(format!(
                    "set `expires` no later than {latest} and renew the waiver when it runs out, or allow longer waivers with `--max-waiver-days`"
                )),
                pointer: waiver.pointer.key("expires"),
                label: format!("later than {latest}"),
                replacement: None,
            });
            continue;
        }
        let mut used = false;
        for &i in by_rule
            .get(waiver.rule.as_str())
            .map_or(&[][..], Vec::as_slice)
        {
            if let Some(grant) = &waiver.grant {
                let about = match grant_cache.get(&i) {
                    Some(g) => g.clone(),
                    None => {
                        let g = findings
                            .get(i)
                            .and_then(|f| grant_of(types, root, manifest, f));
                        grant_cache.insert(i, g.clone());
                        g
                    }
                };
                if about.as_ref() != Some(grant) {
                    continue;
                }
            }
            let Some(finding) = findings.get_mut(i) else {
                continue;
            };
            if finding.waiver.is_some() {
                continue;
            }
            used = true;
            finding.waiver = Some(Waived {
                reason: waiver.reason.clone(),
                approved_by: waiver.approved_by.clone(),
                expires: waiver.expires,
                pointer: waiver.pointer.clone(),
            });
        }
        if !used && (given == Findings::Across || !across) {
            let (ids, known) = grants.get_or_insert_with(|| {
                let ids = grant_ids(types, root, manifest);
                let known = ids.iter().cloned().collect();
                (ids, known)
            });
            let has_findings = by_rule.contains_key(waiver.rule.as_str());
            problems.push(unused(&waiver, ids, known, has_findings));
        }
    }
    problems
}

/// Why an active waiver matched nothing, in the words most likely to help.
fn unused(
    waiver: &Waiver,
    grants: &[String],
    known: &HashSet<String>,
    has_findings: bool,
) -> WaiverProblem {
    let rule_ptr = waiver.pointer.key("rule");
    if let Some(grant) = &waiver.grant {
        if !known.contains(grant) {
            // Suggestions compare the name with every grant id: past a few
            // hundred grants they are not worth their cost.
            let suggestion = (grants.len() <= 256)
                .then(|| did_you_mean(grant, grants.iter().map(String::as_str)))
                .flatten();
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None if grants.len() <= 20 => format!("the grants are: {}", grants.join(", ")),
                None => format!(
                    "the grants are: {}, and {} more",
                    grants.get(..20).unwrap_or_default().join(", "),
                    grants.len() - 20
                ),
            };
            return WaiverProblem {
                rule: Builtin::WaiverUnused,
                message: format!(
                    "the waiver names grant `{grant}`, which this manifest does not declare"
                ),
                help: Some(help),
                pointer: waiver.pointer.key("grant"),
                label: "no such grant".into(),
                replacement: suggestion.map(str::to_string),
            };
        }
        if has_findings {
            return WaiverProblem {
                rule: Builtin::WaiverUnused,
                message: format!(
                    "the waiver of `{}` for grant `{grant}` matches no finding: the rule's findings here are not about that grant",
                    waiver.rule
                ),
                help: Some("scope the waiver to the grant the findings are about, or drop `grant:` to waive the rule for the whole manifest".into()),
                pointer: waiver.pointer.key("grant"),
                label: "matches nothing".into(),
                replacement: None,
            };
        }
    }
    let scope = match &waiver.grant {
        Some(g) => format!(" for grant `{g}`"),
        None => String::new(),
    };
    WaiverProblem {
        rule: Builtin::WaiverUnused,
        message: format!("the waiver of `{}`{scope} matches no finding", waiver.rule),
        help: Some("remove the waiver: the rule passes without it".into()),
        pointer: rule_ptr,
        label: "matches nothing".into(),
        replacement: None,
    }
}

/// The ids of the manifest's grants.
fn grant_ids(types: &Types, root: &Ty, manifest: &Value) -> Vec<String> {
    let Some(Value::List(grants)) = field(types, root, manifest, "grants") else {
        return Vec::new();
    };
    let Some(Ty::List(elem)) = types.record_field_ty(root, "grants").map(Ty::required) else {
        return Vec::new();
    };
    grants
        .iter()
        .filter_map(|g| text(field(types, elem, g, "id")))
        .collect()
}
