//! Static checking: every name in every policy file is resolved against the
//! declared types, every expression is typed, and rules are lowered to the
//! `ir` that evaluation runs. All errors of all files are returned together;
//! nothing is evaluated unless there are none.

mod calls;
pub mod image;
pub mod ir;
pub mod needs;
mod ops;
mod rules;

use crate::ast::{self, Constraint, Item, TypeExprKind};
use crate::diagnostics::Diag;
use crate::schema::{EnumDef, FieldDef, FieldRules, RecordDef, RecordId, SchemaDef, Ty, Types};
use crate::source::{Source, Span};
use crate::suggest::did_you_mean;
use crate::syntax;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The loaded policies: the declared types and the checked rules.
#[derive(Debug)]
pub struct Program {
    pub types: Types,
    pub rules: Vec<ir::Rule>,
    /// By schema: what its rules across manifests read of a manifest, which
    /// is kept of each manifest until they run.
    pub needs: Vec<Option<needs::Need>>,
}

impl Program {
    /// A program of checked types and rules.
    pub fn new(types: Types, rules: Vec<ir::Rule>) -> Program {
        let needs = needs::needs(&rules, types.schemas.len());
        Program {
            types,
            rules,
            needs,
        }
    }

    pub fn rule(&self, id: &str) -> Option<&ir::Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Parses and checks policy files. Returns every error of every file.
pub fn compile(sources: &[Arc<Source>]) -> Result<Program, Vec<Diag>> {
    compile_parsed(parse(sources))
}

/// A parsed policy file: the items that parsed, and its syntax errors.
pub type Parsed = (ast::File, Vec<Diag>);

/// Parses policy files. They parse independently; in parallel, start-up
/// stays short.
pub fn parse(sources: &[Arc<Source>]) -> Vec<Parsed> {
    syntax::set_budget(sources.iter().map(|s| s.text.len()).max().unwrap_or(0));
    sources.par_iter().map(syntax::parse_file).collect()
}

/// Checks parsed policy files. Returns every error of every file, syntax
/// errors included.
pub fn compile_parsed(parsed: Vec<Parsed>) -> Result<Program, Vec<Diag>> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for (file, mut e) in parsed {
        errors.append(&mut e);
        files.push(file);
    }
    // Rules are checked even when declarations have errors, so that one run
    // reports them all. What failed to declare is left out of `types` and
    // listed in `unresolved`: a rule that reads it is not reported again.
    let (mut types, unresolved) = declare_types(&files, &mut errors);
    rules::check_consts(&mut types, &unresolved, &files, &mut errors);
    let rules = rules::check_rules(&types, &unresolved, &files, &mut errors);
    if errors.is_empty() {
        Ok(Program::new(types, rules))
    } else {
        Err(errors)
    }
}

/// What failed to declare: the fields whose type did not resolve, by
/// record, and the constants whose type did not. Each failure was reported
/// where it was declared; a read of one yields no value and no error.
#[derive(Debug, Default)]
pub(crate) struct Unresolved {
    fields: HashSet<(RecordId, String)>,
    consts: HashSet<String>,
    /// Names declared by declarations that did not parse.
    broken: HashSet<String>,
}

impl Unresolved {
    pub(crate) fn field(&self, record: RecordId, name: &str) -> bool {
        !self.fields.is_empty() && self.fields.contains(&(record, name.to_string()))
    }

    pub(crate) fn constant(&self, name: &str) -> bool {
        self.consts.contains(name) || self.broken.contains(name)
    }

    /// A name whose declaration did not parse (reported there).
    pub(crate) fn broken(&self, name: &str) -> bool {
        self.broken.contains(name)
    }
}

#[derive(Clone, Copy)]
enum Named {
    Record(usize),
    Enum(usize),
}

/// A record or enum declaration, and the file (its index) it is in.
struct Decl {
    name: String,
    file: usize,
    named: Named,
    span: Span,
}

/// The record and enum names of all files. A name belongs to the file that
/// declares it. A file sees its own declarations first; then those of the
/// files that declare the schemas its policies check (`policy gdpr for
/// partnership/v1` sees `partnership/v1`'s file); then a name that exactly
/// one other file declares.
#[derive(Default)]
struct Names {
    /// In declaration order, for suggestions that do not depend on hashing.
    decls: Vec<Decl>,
    by_name: HashMap<String, Vec<usize>>,
    /// By file: the other files that declare the schemas its policies check.
    schema_files: Vec<Vec<usize>>,
    /// Names declared by declarations that did not parse: a use of one is
    /// not reported again.
    broken: HashSet<String>,
}

/// What a type name used in a file stands for.
enum Lookup<'a> {
    Found(Named),
    /// Declared in more than one other file, and not in this one.
    Ambiguous(Vec<&'a Decl>),
    Unknown,
}

impl Names {
    fn declared(&self, name: &str) -> impl Iterator<Item = &Decl> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.decls.get(i))
    }

    /// The declaration of `name` in `file` itself.
    fn in_file(&self, file: usize, name: &str) -> Option<&Decl> {
        self.declared(name).find(|d| d.file == file)
    }

    fn add(&mut self, name: &str, file: usize, named: Named, span: &Span) {
        self.by_name
            .entry(name.to_string())
            .or_default()
            .push(self.decls.len());
        self.decls.push(Decl {
            name: name.to_string(),
            file,
            named,
            span: span.clone(),
        });
    }

    fn lookup(&self, file: usize, name: &str) -> Lookup<'_> {
        if let Some(own) = self.in_file(file, name) {
            return Lookup::Found(own.named);
        }
        let mut others: Vec<&Decl> = self.declared(name).collect();
        if let Some(schema_files) = self.schema_files.get(file) {
            if others.iter().any(|d| schema_files.contains(&d.file)) {
                others.retain(|d| schema_files.contains(&d.file));
            }
        }
        match others.as_slice() {
            [] => Lookup::Unknown,
            [one] => Lookup::Found(one.named),
            _ => Lookup::Ambiguous(others),
        }
    }

    /// The names a file can use, for suggestions: its own first, then
    /// those of other files that resolve.
    fn visible(&self, file: usize) -> impl Iterator<Item = &str> {
        let own = self.decls.iter().filter(move |d| d.file == file);
        let others = self.decls.iter().filter(move |d| {
            d.file != file && matches!(self.lookup(file, &d.name), Lookup::Found(_))
        });
        own.chain(others).map(|d| d.name.as_str())
    }
}

fn declare_types(files: &[ast::File], errors: &mut Vec<Diag>) -> (Types, Unresolved) {
    let mut types = Types::default();
    let mut unresolved = Unresolved {
        broken: files
            .iter()
            .flat_map(|f| f.broken.iter().cloned())
            .collect(),
        ..Unresolved::default()
    };
    let mut names = Names {
        broken: unresolved.broken.clone(),
        ..Names::default()
    };
    let mut schema_ids: HashMap<&str, (usize, &Span)> = HashMap::new();
    let mut record_decls: Vec<(usize, &ast::RecordDecl)> = Vec::new();
    let items = || {
        files
            .iter()
            .enumerate()
            .flat_map(|(file, f)| f.items.iter().map(move |item| (file, item)))
    };

    // First pass: give every record, schema and enum its id, so fields can
    // refer to types declared later or in another file. Record and enum
    // names are unique within a file; schema ids across all files.
    for (file, item) in items() {
        match item {
            Item::Schema(decl) | Item::Record(decl) => {
                let is_schema = matches!(item, Item::Schema(_));
                let first = if is_schema {
                    schema_ids
                        .get(decl.name.name.as_str())
                        .map(|(_, span)| *span)
                } else {
                    names.in_file(file, &decl.name.name).map(|d| &d.span)
                };
                if let Some(first) = first {
                    errors.push(if is_schema {
                        schema_declared_twice(&decl.name.span, &decl.name.name, first)
                    } else {
                        declared_twice("", &decl.name.span, &decl.name.name, first)
                    });
                    continue;
                }
                let id = types.records.len();
                types.records.push(RecordDef {
                    name: decl.name.name.clone(),
                    fields: Vec::new(),
                    doc: decl.doc.clone(),
                    span: decl.name.span.clone(),
                });
                record_decls.push((file, decl));
                if is_schema {
                    // A schema id (`partnership/v1`) is not a type name.
                    schema_ids.insert(&decl.name.name, (file, &decl.name.span));
                    types.schemas.push(SchemaDef {
                        id: decl.name.name.clone(),
                        root: id,
                        span: decl.name.span.clone(),
                    });
                } else {
                    names.add(&decl.name.name, file, Named::Record(id), &decl.name.span);
                }
            }
            Item::Enum(decl) => {
                if let Some(first) = names.in_file(file, &decl.name.name) {
                    errors.push(declared_twice(
                        "",
                        &decl.name.span,
                        &decl.name.name,
                        &first.span,
                    ));
                    continue;
                }
                let mut values = Vec::new();
                let mut item_docs = Vec::new();
                let mut seen = HashSet::new();
                let mut flat = Flat {
                    values: &mut values,
                    docs: &mut item_docs,
                    seen: &mut seen,
                };
                flatten_enum(&decl.items, "", &mut flat, errors);
                let id = types.enums.len();
                types.enums.push(EnumDef {
                    name: decl.name.name.clone(),
                    values,
                    item_docs,
                    doc: decl.doc.clone(),
                    span: decl.name.span.clone(),
                });
                names.add(&decl.name.name, file, Named::Enum(id), &decl.name.span);
            }
            Item::Const(_) | Item::Policy(_) | Item::Rule(_) => {}
        }
    }

    names.schema_files = files
        .iter()
        .enumerate()
        .map(|(file, f)| {
            let mut near: Vec<usize> = f
                .items
                .iter()
                .filter_map(|item| match item {
                    Item::Policy(p) => schema_ids.get(p.schema.name.as_str()).map(|(f, _)| *f),
                    _ => None,
                })
                .filter(|&f| f != file)
                .collect();
            near.sort_unstable();
            near.dedup();
            near
        })
        .collect();

    // Constants' types; their values are checked with the rules. Constant
    // names are shared by all files.
    let mut const_names: HashMap<&str, &Span> = HashMap::new();
    for (file, item) in items() {
        let Item::Const(decl) = item else {
            continue;
        };
        if let Some(first) = const_names.get(decl.name.name.as_str()) {
            errors.push(declared_twice(
                "constant",
                &decl.name.span,
                &decl.name.name,
                first,
            ));
            continue;
        }
        const_names.insert(&decl.name.name, &decl.name.span);
        match resolve_type(&decl.ty, file, &names, errors) {
            Some(ty) => types.consts.push(crate::schema::ConstDef {
                name: decl.name.name.clone(),
                ty,
                value: crate::value::Value::Invalid,
                span: decl.name.span.clone(),
            }),
            None => {
                unresolved.consts.insert(decl.name.name.clone());
            }
        }
    }

    // Second pass: resolve field types, each in its own file's names.
    for (id, (file, decl)) in record_decls.iter().enumerate() {
        let mut fields: Vec<FieldDef> = Vec::new();
        let mut seen: HashMap<&str, &Span> = HashMap::new();
        for field in &decl.fields {
            if let Some(first) = seen.get(field.name.name.as_str()) {
                errors.push(declared_twice(
                    "field",
                    &field.name.span,
                    &field.name.name,
                    first,
                ));
                continue;
            }
            seen.insert(&field.name.name, &field.name.span);
            match resolve_type(&field.ty, *file, &names, errors) {
                Some(ty) => {
                    let is_root = types.schemas.iter().any(|s| s.root == id);
                    let rules = field_rules(field, &ty, &types, is_root, errors);
                    fields.push(FieldDef {
                        name: field.name.name.clone(),
                        ty,
                        doc: field.doc.clone(),
                        span: field.name.span.clone(),
                        rules,
                    });
                }
                None => {
                    unresolved.fields.insert((id, field.name.name.clone()));
                }
            }
        }
        if let Some(rec) = types.records.get_mut(id) {
            rec.fields = fields;
        }
    }
    (types, unresolved)
}

/// A field's constraints, each checked against the field's type: `unique`
/// on a scalar, `not blank` on a string, bounds on an int.
fn field_rules(
    field: &crate::ast::FieldDecl,
    ty: &Ty,
    types: &Types,
    is_root: bool,
    errors: &mut Vec<Diag>,
) -> FieldRules {
    let mut rules = FieldRules::default();
    let base = ty.required();
    let shown = types.display(ty).to_string();
    for (constraint, span) in &field.constraints {
        let fits = match constraint {
            Constraint::Unique => matches!(
                base,
                Ty::Str | Ty::Int | Ty::Date | Ty::Duration | Ty::Enum(_) | Ty::Bool
            ),
            Constraint::NotBlank => *base == Ty::Str,
            Constraint::AtLeast(_) | Constraint::AtMost(_) => *base == Ty::Int,
        };
        if is_root && *constraint == Constraint::Unique {
            errors.push(
                Diag::new(
                    span,
                    "`unique` applies to a field of a record whose items form a list",
                )
                .label("a schema's own fields are never in a list")
                .help("move `unique` to the field of the record the list holds"),
            );
            continue;
        }
        if !fits {
            let (what, wants) = match constraint {
                Constraint::Unique => ("`unique`", "a single value (a string, int, date or enum)"),
                Constraint::NotBlank => ("`not blank`", "a `string`"),
                Constraint::AtLeast(_) | Constraint::AtMost(_) => ("a bound", "an `int`"),
            };
            errors.push(
                Diag::new(
                    span,
                    format!(
                        "{what} needs {wants}, but `{}` is of type `{shown}`",
                        field.name.name
                    ),
                )
                .label("does not apply to this type")
                .related(&field.ty.span, format!("`{shown}`")),
            );
            continue;
        }
        match constraint {
            Constraint::Unique => rules.unique = true,
            Constraint::NotBlank => rules.not_blank = true,
            Constraint::AtLeast(n) => rules.min = Some(rules.min.map_or(*n, |m| m.max(*n))),
            Constraint::AtMost(n) => rules.max = Some(rules.max.map_or(*n, |m| m.min(*n))),
        }
    }
    if let (Some(min), Some(max)) = (rules.min, rules.max) {
        if min > max {
            if let Some((_, span)) = field.constraints.last() {
                errors.push(
                    Diag::new(span, format!("no int is at least {min} and at most {max}"))
                        .label("contradicts the other bound"),
                );
            }
        }
    }
    rules
}

/// An enum's items as they are flattened: its values in order, dotted
/// below their branches, and the doc comments of values and branches.
struct Flat<'a> {
    values: &'a mut Vec<String>,
    docs: &'a mut Vec<(String, String)>,
    /// The values too, so that a long enum (the countries) is not searched
    /// value by value for each new one.
    seen: &'a mut HashSet<String>,
}

fn flatten_enum(items: &[ast::EnumItem], prefix: &str, out: &mut Flat, errors: &mut Vec<Diag>) {
    for item in items {
        let name = if prefix.is_empty() {
            item.name.name.clone()
        } else {
            format!("{prefix}.{}", item.name.name)
        };
        if !item.doc.is_empty() {
            out.docs.push((name.clone(), item.doc.clone()));
        }
        if item.children.is_empty() {
            if !out.seen.insert(name.clone()) {
                errors.push(
                    Diag::new(
                        &item.name.span,
                        format!("enum value `{name}` is declared twice"),
                    )
                    .label("declared again here"),
                );
            } else {
                out.values.push(name);
            }
        } else {
            flatten_enum(&item.children, &name, out, errors);
        }
    }
}

/// "`x` is declared twice", pointing at both declarations.
pub(crate) fn declared_twice(what: &str, span: &Span, name: &str, first: &Span) -> Diag {
    let what = if what.is_empty() {
        String::new()
    } else {
        format!("{what} ")
    };
    Diag::new(span, format!("{what}`{name}` is declared twice"))
        .label("declared again here")
        .related(first, "first declared here")
}

/// "schema `partnership/v1` is declared twice": two loaded files declare
/// it, most often the shipped catalogue (`builtin`) beside a copy of its
/// schema.
fn schema_declared_twice(span: &Span, name: &str, first: &Span) -> Diag {
    let d = Diag::new(span, format!("schema `{name}` is declared twice"))
        .label("declared again here")
        .related(first, "first declared here");
    let shipped = [span, first]
        .into_iter()
        .find(|s| s.src.is_builtin())
        .map(|s| s.src.name.clone());
    match shipped {
        Some(shipped) => d.help(format!(
            "`{shipped}` (loaded with `builtin`) declares `{name}` already: \
             drop `builtin` from the policies to use your copy, or rename the schema in your copy"
        )),
        None => d.help("load one of the two files, or rename one of the schemas"),
    }
}

const BUILTIN_TYPES: [&str; 5] = ["string", "int", "bool", "date", "duration"];

/// The type a type expression of `file` names.
fn resolve_type(
    ty: &ast::TypeExpr,
    file: usize,
    names: &Names,
    errors: &mut Vec<Diag>,
) -> Option<Ty> {
    match &ty.kind {
        TypeExprKind::Named(name) => match name.name.as_str() {
            "string" => Some(Ty::Str),
            "int" => Some(Ty::Int),
            "bool" => Some(Ty::Bool),
            "date" => Some(Ty::Date),
            "duration" => Some(Ty::Duration),
            other => match names.lookup(file, other) {
                Lookup::Found(Named::Record(id)) => Some(Ty::Record(id)),
                Lookup::Found(Named::Enum(id)) => Some(Ty::Enum(id)),
                Lookup::Ambiguous(decls) => {
                    let mut d = Diag::new(
                        &name.span,
                        format!("`{other}` is declared in more than one file"),
                    )
                    .label("could be any of them");
                    for decl in decls {
                        d = d.related(&decl.span, format!("`{other}` is declared here"));
                    }
                    errors.push(d.help(format!(
                        "declare `{other}` in this file, or rename one of the others"
                    )));
                    None
                }
                Lookup::Unknown if names.broken.contains(other) => None,
                Lookup::Unknown => {
                    let candidates = BUILTIN_TYPES.iter().copied().chain(names.visible(file));
                    let mut d = Diag::new(&name.span, format!("unknown type `{other}`"))
                        .label("not declared");
                    d = match did_you_mean(other, candidates) {
                        Some(s) => d.did_you_mean(s),
                        None => d.help("declare it with `record` or `enum`, or use string, int, bool, date or duration"),
                    };
                    errors.push(d);
                    None
                }
            },
        },
        TypeExprKind::List(inner) => Some(Ty::List(Box::new(resolve_type(
            inner, file, names, errors,
        )?))),
        TypeExprKind::Map(k, v) => {
            let key_span = k.span.clone();
            let k = resolve_type(k, file, names, errors);
            let v = resolve_type(v, file, names, errors);
            let k = k?;
            // A YAML key is read as text: as a string, or as the text of an
            // enum value, a date or a duration. No manifest could give any
            // other kind of key.
            if !matches!(k, Ty::Str | Ty::Enum(_) | Ty::Date | Ty::Duration) {
                errors.push(
                    Diag::new(&key_span, "a map's keys must be string, an enum, date or duration")
                        .label("keys of this type cannot be written")
                        .help("manifests write keys as text; use `string`, or an enum of the keys allowed"),
                );
                return None;
            }
            Some(Ty::Map(Box::new(k), Box::new(v?)))
        }
        TypeExprKind::Optional(inner) => Some(Ty::Optional(Box::new(resolve_type(
            inner, file, names, errors,
        )?))),
    }
}
