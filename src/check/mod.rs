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
use crate::schema::{EnumDef, FieldDef, FieldRules, RecordDef, SchemaDef, Ty, Types};
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
    let before = errors.len();
    let mut types = declare_types(&files, &mut errors);
    // Rules are checked only against sound types: a misspelled field type
    // would otherwise show up again as "no field" in every rule using it.
    let rules = if errors.len() == before {
        rules::check_consts(&mut types, &files, &mut errors);
        rules::check_rules(&types, &files, &mut errors)
    } else {
        Vec::new()
    };
    if errors.is_empty() {
        Ok(Program::new(types, rules))
    } else {
        Err(errors)
    }
}

enum Named {
    Record(usize),
    Enum(usize),
}

fn declare_types(files: &[ast::File], errors: &mut Vec<Diag>) -> Types {
    let mut types = Types::default();
    let mut names: HashMap<String, (Named, Span)> = HashMap::new();
    let mut record_decls: Vec<&ast::RecordDecl> = Vec::new();

    // First pass: give every record, schema and enum its id, so fields can
    // refer to types declared later or in another file.
    for item in files.iter().flat_map(|f| &f.items) {
        match item {
            Item::Schema(decl) | Item::Record(decl) => {
                let is_schema = matches!(item, Item::Schema(_));
                if let Some((_, first)) = names.get(&decl.name.name) {
                    errors.push(declared_twice("", &decl.name.span, &decl.name.name, first));
                    continue;
                }
                let id = types.records.len();
                types.records.push(RecordDef {
                    name: decl.name.name.clone(),
                    fields: Vec::new(),
                    doc: decl.doc.clone(),
                    span: decl.name.span.clone(),
                });
                record_decls.push(decl);
                names.insert(
                    decl.name.name.clone(),
                    (Named::Record(id), decl.name.span.clone()),
                );
                if is_schema {
                    types.schemas.push(SchemaDef {
                        id: decl.name.name.clone(),
                        root: id,
                        span: decl.name.span.clone(),
                    });
                }
            }
            Item::Enum(decl) => {
                if let Some((_, first)) = names.get(&decl.name.name) {
                    errors.push(declared_twice("", &decl.name.span, &decl.name.name, first));
                    continue;
                }
                let mut values = Vec::new();
                flatten_enum(&decl.items, "", &mut values, &mut HashSet::new(), errors);
                let id = types.enums.len();
                types.enums.push(EnumDef {
                    name: decl.name.name.clone(),
                    values,
                    doc: decl.doc.clone(),
                    span: decl.name.span.clone(),
                });
                names.insert(
                    decl.name.name.clone(),
                    (Named::Enum(id), decl.name.span.clone()),
                );
            }
            Item::Const(_) | Item::Policy(_) | Item::Rule(_) => {}
        }
    }

    // Constants' types; their values are checked with the rules.
    for item in files.iter().flat_map(|f| &f.items) {
        let Item::Const(decl) = item else {
            continue;
        };
        if let Some(first) = types.consts.iter().find(|c| c.name == decl.name.name) {
            errors.push(declared_twice(
                "constant",
                &decl.name.span,
                &decl.name.name,
                &first.span,
            ));
            continue;
        }
        if let Some(ty) = resolve_type(&decl.ty, &names, errors) {
            types.consts.push(crate::schema::ConstDef {
                name: decl.name.name.clone(),
                ty,
                value: crate::value::Value::Invalid,
                span: decl.name.span.clone(),
            });
        }
    }

    // Second pass: resolve field types.
    for (id, decl) in record_decls.iter().enumerate() {
        let mut fields: Vec<FieldDef> = Vec::new();
        for field in &decl.fields {
            if let Some(first) = fields.iter().find(|f| f.name == field.name.name) {
                errors.push(declared_twice(
                    "field",
                    &field.name.span,
                    &field.name.name,
                    &first.span,
                ));
                continue;
            }
            if let Some(ty) = resolve_type(&field.ty, &names, errors) {
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
        }
        if let Some(rec) = types.records.get_mut(id) {
            rec.fields = fields;
        }
    }
    types
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

/// An enum's values in order, dotted below their branches; `seen` holds
/// them too, so that a long enum (the countries) is not searched value by
/// value for each new one.
fn flatten_enum(
    items: &[ast::EnumItem],
    prefix: &str,
    out: &mut Vec<String>,
    seen: &mut HashSet<String>,
    errors: &mut Vec<Diag>,
) {
    for item in items {
        let name = if prefix.is_empty() {
            item.name.name.clone()
        } else {
            format!("{prefix}.{}", item.name.name)
        };
        if item.children.is_empty() {
            if !seen.insert(name.clone()) {
                errors.push(
                    Diag::new(
                        &item.name.span,
                        format!("enum value `{name}` is declared twice"),
                    )
                    .label("declared again here"),
                );
            } else {
                out.push(name);
            }
        } else {
            flatten_enum(&item.children, &name, out, seen, errors);
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

const BUILTIN_TYPES: [&str; 5] = ["string", "int", "bool", "date", "duration"];

fn resolve_type(
    ty: &ast::TypeExpr,
    names: &HashMap<String, (Named, Span)>,
    errors: &mut Vec<Diag>,
) -> Option<Ty> {
    match &ty.kind {
        TypeExprKind::Named(name) => match name.name.as_str() {
            "string" => Some(Ty::Str),
            "int" => Some(Ty::Int),
            "bool" => Some(Ty::Bool),
            "date" => Some(Ty::Date),
            "duration" => Some(Ty::Duration),
            other => match names.get(other) {
                Some((Named::Record(id), _)) => Some(Ty::Record(*id)),
                Some((Named::Enum(id), _)) => Some(Ty::Enum(*id)),
                None => {
                    let candidates = BUILTIN_TYPES
                        .iter()
                        .copied()
                        .chain(names.keys().map(String::as_str));
                    let mut d = Diag::new(&name.span, format!("unknown type `{other}`"))
                        .label("not declared");
                    d = match did_you_mean(other, candidates) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help("declare it with `record` or `enum`, or use string, int, bool, date or duration"),
                    };
                    errors.push(d);
                    None
                }
            },
        },
        TypeExprKind::List(inner) => Some(Ty::List(Box::new(resolve_type(inner, names, errors)?))),
        TypeExprKind::Map(k, v) => {
            let k = resolve_type(k, names, errors);
            let v = resolve_type(v, names, errors);
            Some(Ty::Map(Box::new(k?), Box::new(v?)))
        }
        TypeExprKind::Optional(inner) => {
            Some(Ty::Optional(Box::new(resolve_type(inner, names, errors)?)))
        }
    }
}
