//! Rules across manifests (`each m in manifests`, `unique(m in manifests:
//! m.partner.id)`): they run once every manifest of a run is loaded, over
//! what each valid manifest kept of itself (only the fields these rules
//! read), and each finding is placed in the manifest it points into, with
//! labelled places in the others.
//!
//! A rule across manifests is given the list of kept manifests as its
//! manifest, so every place a failure names starts with the index of a
//! manifest in that list; that index says which file it is in. Positions
//! are found by reading the files with findings again (a file that changed
//! in the meantime keeps its findings, without a position).

use crate::check::Program;
use crate::diagnostics::{Finding, Location};
use crate::eval::{eval_rule_within, Blame, Failure, Outcome, BUDGET};
use crate::manifest::discover::{Discovery, Entry};
use crate::manifest::load::{load, Loaded};
use crate::manifest::path::{Path, Seg};
use crate::manifest::read::{normalize, read_text};
use crate::run::{FileKind, FileReport, Options, Place, RuleResult};
use crate::schema::Ty;
use crate::source::Source;
use crate::value::Value;
use crate::waivers;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{ControlFlow, Range};
use std::sync::Arc;

/// What a valid manifest keeps of itself for the rules across manifests of
/// its schema.
#[derive(Debug, Clone)]
pub struct Kept {
    pub schema: usize,
    pub value: Value,
    /// A digest of the text it was loaded from: positions are looked up in
    /// the same text, or not at all.
    pub digest: u64,
    /// The manifest waives a rule across manifests: whether the waiver
    /// covers anything is known only once those rules have run.
    pub waives: bool,
}

/// What a manifest of `schema` keeps, if a rule across manifests checks it.
pub fn keep(program: &Program, schema: usize, value: &Value, text: &str) -> Option<Box<Kept>> {
    let need = program.needs.get(schema)?.as_ref()?;
    let root = Ty::Record(program.types.schemas.get(schema)?.root);
    let waives = waivers::read(&program.types, &root, value)
        .iter()
        .any(|w| program.rule(&w.rule).is_some_and(|r| r.across));
    Some(Box::new(Kept {
        schema,
        value: need.project(value),
        digest: digest(text),
        waives,
    }))
}

/// A digest of a text, to tell whether a file read again is the one that
/// was checked: foldhash, fixed-seeded, costs a small part of reading it.
fn digest(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x70_72_6f_76_69_73_6f).hash_one(text)
}

/// Steps a rule across manifests may take per manifest, beyond the budget
/// of a rule of one manifest: enough to compare each manifest with the
/// others of an equal key, not with every other.
const STEPS_PER_MANIFEST: u64 = 10_000;

/// Places in other manifests a finding names at most.
const MAX_RELATED: usize = 32;

/// A failure of a rule across manifests, before it is placed.
struct Pending {
    rule: usize,
    /// The file (by index among those found) the finding belongs to.
    file: usize,
    /// Each blamed value, with its file.
    blame: Vec<(usize, Blame)>,
    bindings: Vec<Path>,
    message: String,
    help: Option<String>,
}

/// A file read again to place findings.
struct Reread {
    source: Arc<Source>,
    raw: Option<Arc<[u8]>>,
    /// The loaded manifest, when its text is the one that was checked.
    loaded: Option<Loaded>,
}

/// The kept manifests of a run, as they come in, in file order: by schema,
/// their values in one list (what the rules read) and, beside it, the file
/// each came from and the digest of its text.
#[derive(Default)]
pub struct Store {
    by_schema: HashMap<usize, Members>,
    /// Files that waive a rule across manifests.
    waiving: Vec<usize>,
    /// How many files there are: a schema's lists are made that long at
    /// once, rather than grown (and copied) as manifests come in.
    expected: usize,
}

#[derive(Default)]
struct Members {
    values: Vec<Value>,
    files: Vec<usize>,
    digests: Vec<u64>,
}

impl Store {
    /// A store for a run of `files` files.
    pub fn new(files: usize) -> Store {
        Store {
            expected: files,
            ..Store::default()
        }
    }

    /// Keeps what file `file` kept.
    pub fn add(&mut self, file: usize, kept: Kept) {
        let Kept {
            schema,
            value,
            digest,
            waives,
        } = kept;
        let expected = self.expected.saturating_sub(file);
        let m = self.by_schema.entry(schema).or_insert_with(|| Members {
            values: Vec::with_capacity(expected),
            files: Vec::with_capacity(expected),
            digests: Vec::with_capacity(expected),
        });
        m.values.push(value);
        m.files.push(file);
        m.digests.push(digest);
        if waives {
            self.waiving.push(file);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_schema.is_empty()
    }
}

/// Runs the rules across manifests over the kept manifests and hands
/// `sink`, for each of them in file order, how each rule ended for it and
/// the findings that point into it. The sink may stop it.
pub fn check(
    program: &Program,
    found: &Discovery,
    opts: &Options,
    store: Store,
    mut sink: impl FnMut(FileReport) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Store {
        by_schema, waiving, ..
    } = store;
    // Every kept manifest, in file order, with its schema.
    let mut order: Vec<(usize, usize)> = by_schema
        .iter()
        .flat_map(|(s, m)| m.files.iter().map(move |f| (*f, *s)))
        .collect();
    order.sort_unstable();
    // By schema: the kept manifests as one list, the file each came from,
    // and its text's digest (files come in order, so each list of files is
    // sorted).
    let lists: HashMap<usize, (Value, Vec<usize>, Vec<u64>)> = by_schema
        .into_iter()
        .map(|(s, m)| (s, (Value::List(m.values), m.files, m.digests)))
        .collect();
    let mut pending: Vec<Pending> = Vec::new();
    let mut errors: Vec<(usize, usize, String)> = Vec::new();
    // How each rule ended over the manifests of its schema; a manifest a
    // finding points into fails it.
    let mut ended: Vec<(usize, usize, RuleResult)> = Vec::new();
    for (r, rule) in program.rules.iter().enumerate().filter(|(_, r)| r.across) {
        let Some((list, files, _)) = lists.get(&rule.schema) else {
            continue;
        };
        let Some(&first) = files.first() else {
            continue;
        };
        // A rule of one manifest's budget, and a share per manifest on top:
        // the work allowed grows linearly with the number of manifests.
        let budget = BUDGET.saturating_add(
            STEPS_PER_MANIFEST.saturating_mul(u64::try_from(files.len()).unwrap_or(u64::MAX)),
        );
        let outcome = eval_rule_within(rule, list, &program.types, opts.today, budget);
        let result = match &outcome {
            Outcome::Pass | Outcome::Fail(_) => RuleResult::Pass,
            Outcome::NotApplicable => RuleResult::NotApplicable,
            Outcome::Error(_) => RuleResult::Error,
        };
        ended.push((r, rule.schema, result));
        match outcome {
            Outcome::Pass | Outcome::NotApplicable => {}
            Outcome::Error(message) => errors.push((r, first, message)),
            Outcome::Fail(failures) => {
                pending.extend(failures.into_iter().flat_map(|f| place(r, f, files, first)));
            }
        }
    }
    // Every file a finding points into, read once.
    let wanted: BTreeSet<usize> = pending
        .iter()
        .flat_map(|p| std::iter::once(p.file).chain(p.blame.iter().map(|(f, _)| *f)))
        .chain(errors.iter().map(|(_, f, _)| *f))
        .chain(waiving)
        .collect();
    // The manifests' values are no longer needed; their files' digests are.
    let digests: Vec<(Vec<usize>, Vec<u64>)> = lists
        .into_values()
        .map(|(_, files, d)| (files, d))
        .collect();
    let digest_of = |file: usize| {
        digests.iter().find_map(|(files, d)| {
            let i = files.binary_search(&file).ok()?;
            d.get(i).copied()
        })
    };
    let reread: HashMap<usize, Reread> = wanted
        .iter()
        .filter_map(|&i| Some((i, read_again(program, found, opts, i, &digest_of(i)?)?)))
        .collect();
    let mut by_file: BTreeMap<usize, Vec<(usize, Finding)>> = BTreeMap::new();
    for p in pending {
        let finding = finding(program, &reread, &p);
        by_file.entry(p.file).or_default().push((p.rule, finding));
    }
    // A rule that could not be evaluated is an error no waiver covers: it
    // stands for every manifest the rule reads.
    let mut unwaivable: BTreeMap<usize, Vec<(usize, Finding)>> = BTreeMap::new();
    for (r, file, message) in errors {
        if let (Some(rule), Some(again)) = (program.rules.get(r), reread.get(&file)) {
            let mut f = located(rule, again, None, None);
            f.severity = crate::ast::Severity::Error;
            f.message = format!(
                "rule `{}` could not be evaluated over {} manifests: {message}",
                rule.id,
                order.iter().filter(|(_, s)| *s == rule.schema).count()
            );
            unwaivable.entry(file).or_default().push((r, f));
        }
    }
    // A report for every manifest the rules looked at, with how each rule
    // ended for it: failed where a finding points into it.
    for (file, schema) in order {
        let findings = by_file.remove(&file).unwrap_or_default();
        let results: Vec<(usize, RuleResult)> = ended
            .iter()
            .filter(|(_, s, _)| *s == schema)
            .map(|&(r, _, result)| {
                let failed = findings.iter().any(|(i, _)| *i == r);
                (r, if failed { RuleResult::Fail } else { result })
            })
            .collect();
        let mut list: Vec<Finding> = findings.into_iter().map(|(_, f)| f).collect();
        let ids = reread.get(&file).and_then(|again| match &again.loaded {
            Some(Loaded::Manifest { schema, value, .. }) => {
                Some(crate::run::ids(program, *schema, value))
            }
            _ => None,
        });
        let path = match reread.get(&file) {
            Some(again) => {
                let unused = waive(program, opts, again, &mut list);
                list.extend(unused);
                list.extend(
                    unwaivable
                        .remove(&file)
                        .into_iter()
                        .flatten()
                        .map(|(_, f)| f),
                );
                again.source.name.clone()
            }
            None => match found.entry(file) {
                Some(Entry::File { display, .. } | Entry::Broken { display, .. }) => display,
                None => continue,
            },
        };
        sink(FileReport {
            path,
            kind: FileKind::Across,
            findings: list,
            results,
            kept: None,
            ids: ids.unwrap_or_default(),
        })?;
    }
    ControlFlow::Continue(())
}

/// Splits a failure's places by manifest (the first segment of each is the
/// manifest's index in the list the rule was given) and gives it a home:
/// the manifest its `each` is bound to; without one, each manifest with a
/// blamed value of its own (not one only shown beside them) gets a finding,
/// so that a waiver in one manifest never covers another's.
fn place(rule: usize, f: Failure, files: &[usize], first: usize) -> Vec<Pending> {
    let split = |path: &Path| -> Option<(usize, Path)> {
        match path.segs().split_first() {
            Some((Seg::Index(j), rest)) => Some((*files.get(*j)?, Path(rest.to_vec()))),
            Some((Seg::Key(_), _)) | None => None,
        }
    };
    let blame: Vec<(usize, Blame)> = f
        .blame
        .iter()
        .filter_map(|b| {
            let (file, path) = split(&b.path)?;
            // The list of manifests itself is no place in a file.
            if path.segs().is_empty() && !b.missing {
                return None;
            }
            Some((file, Blame { path, ..b.clone() }))
        })
        .collect();
    let bindings: Vec<(usize, Path)> = f.bindings.iter().filter_map(split).collect();
    let mut homes: Vec<usize> = Vec::new();
    match bindings.first() {
        Some((file, _)) => homes.push(*file),
        None => {
            for (file, b) in &blame {
                if !b.context && !homes.contains(file) {
                    homes.push(*file);
                }
            }
        }
    }
    if homes.is_empty() {
        homes.push(blame.first().map_or(first, |(file, _)| *file));
    }
    homes
        .into_iter()
        .map(|home| {
            // Its own blamed values first, then what is shown beside them;
            // a manifest none of whose values is blamed is pointed at whole.
            let mut mine: Vec<(usize, Blame)> = blame
                .iter()
                .filter(|(file, b)| *file == home && !b.context)
                .cloned()
                .collect();
            if mine.is_empty() {
                if let Some((_, p)) = bindings.iter().find(|(file, _)| *file == home) {
                    mine.push((home, Blame::item(p.clone(), String::new())));
                }
            }
            mine.extend(
                blame
                    .iter()
                    .filter(|(file, b)| *file != home || b.context)
                    .cloned(),
            );
            Pending {
                rule,
                file: home,
                blame: mine,
                bindings: bindings
                    .iter()
                    .filter(|(file, _)| *file == home)
                    .map(|(_, p)| p.clone())
                    .collect(),
                message: f.message.clone(),
                help: f.help.clone(),
            }
        })
        .collect()
}

/// Reads the `i`th file found again, as the checked text, and loads it.
fn read_again(
    program: &Program,
    found: &Discovery,
    opts: &Options,
    i: usize,
    digest_then: &u64,
) -> Option<Reread> {
    let Entry::File { path, display, raw } = found.entry(i)? else {
        return None;
    };
    // A file that cannot be read again keeps its findings, unplaced.
    let text = read_text(&path, opts.max_file_size)
        .map(normalize)
        .unwrap_or_default();
    let source = Source::new(&display, text);
    let loaded = (digest(&source.text) == *digest_then).then(|| load(&source.text, &program.types));
    Some(Reread {
        source,
        raw,
        loaded,
    })
}

/// A finding of a rule across manifests: placed at its first blamed value,
/// with the others as labels (same file) or related places (other files).
fn finding(program: &Program, reread: &HashMap<usize, Reread>, p: &Pending) -> Finding {
    let rule = program.rules.get(p.rule);
    let range_in = |file: usize, b: &Blame| -> Option<Range<usize>> {
        let again = reread.get(&file)?;
        let Some(Loaded::Manifest { spans, .. }) = &again.loaded else {
            return None;
        };
        Place {
            spans,
            types: &program.types,
            text: &again.source.text,
        }
        .blamed(b)
    };
    let primary = p.blame.iter().find(|(f, _)| *f == p.file);
    let mut f = match (rule, reread.get(&p.file)) {
        (Some(rule), Some(again)) => located(
            rule,
            again,
            primary.and_then(|(file, b)| range_in(*file, b)),
            primary.map(|(_, b)| b.path.clone()),
        ),
        _ => return unplaced(p),
    };
    f.message = p.message.clone();
    f.help = p.help.clone();
    f.bindings = p.bindings.clone();
    let mut hidden = 0usize;
    for (file, b) in &p.blame {
        let range = range_in(*file, b);
        if *file == p.file {
            if let Some(r) = range {
                f.labels.push((r, b.label.clone()));
            }
            continue;
        }
        let Some(again) = reread.get(file) else {
            continue;
        };
        if f.related.len() >= MAX_RELATED {
            hidden += 1;
            continue;
        }
        f.related.push((
            Location {
                path: again.source.name.clone(),
                source: Some(Arc::clone(&again.source)),
                range,
                pointer: Some(b.path.clone()),
                raw_path: again.raw.clone(),
            },
            b.label.clone(),
        ));
    }
    if let Some((_, label)) = f.related.last_mut().filter(|_| hidden > 0) {
        let more = match hidden {
            1 => "1 more place in other manifests is not shown".to_string(),
            n => format!("{n} more places in other manifests are not shown"),
        };
        *label = format!("{label}; {more}");
    }
    if reread
        .get(&p.file)
        .is_some_and(|again| again.loaded.is_none())
    {
        f.message
            .push_str(" (the file changed during the run, so its place is not shown)");
    }
    f
}

/// A finding of `rule` in a file read again, at `range`.
fn located(
    rule: &crate::check::ir::Rule,
    again: &Reread,
    range: Option<Range<usize>>,
    pointer: Option<Path>,
) -> Finding {
    Finding {
        fix: None,
        rule: rule.id.clone(),
        severity: rule.severity,
        title: rule.title.clone(),
        message: String::new(),
        help: None,
        location: Location {
            path: again.source.name.clone(),
            source: Some(Arc::clone(&again.source)),
            range,
            pointer,
            raw_path: again.raw.clone(),
        },
        labels: Vec::new(),
        rule_span: Some(rule.id_span.clone()),
        waiver: None,
        bindings: Vec::new(),
        related: Vec::new(),
    }
}

/// A finding whose file could not be read again: never dropped.
fn unplaced(p: &Pending) -> Finding {
    Finding {
        fix: None,
        rule: String::new(),
        severity: crate::ast::Severity::Error,
        title: String::new(),
        message: p.message.clone(),
        help: p.help.clone(),
        location: Location {
            path: String::new(),
            source: None,
            range: None,
            pointer: None,
            raw_path: None,
        },
        labels: Vec::new(),
        rule_span: None,
        waiver: None,
        bindings: p.bindings.clone(),
        related: Vec::new(),
    }
}

/// Applies the file's waivers of rules across manifests; returns those
/// that covered nothing, as findings.
fn waive(
    program: &Program,
    opts: &Options,
    again: &Reread,
    findings: &mut [Finding],
) -> Vec<Finding> {
    let Some(Loaded::Manifest {
        schema,
        value,
        spans,
        ..
    }) = &again.loaded
    else {
        return Vec::new();
    };
    let root = Ty::Record(program.types.schemas.get(*schema).map_or(0, |s| s.root));
    let problems = waivers::apply(
        program,
        &root,
        value,
        (opts.today, opts.max_waiver_days),
        waivers::Findings::Across,
        findings,
    );
    let place = Place {
        spans,
        types: &program.types,
        text: &again.source.text,
    };
    problems
        .into_iter()
        .map(|p| crate::run::waiver_finding(&again.source, &place, p))
        .collect()
}
