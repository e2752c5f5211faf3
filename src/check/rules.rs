//! Type checking of rules and their lowering to `ir`.
//!
//! Enum literals are typed from context: in `grant.operations has any
//! [read, write]` the list takes the element type of the left side, so
//! `read` is an `Operation`. Optional fields must be guarded: a read of
//! `grant.revoked` is accepted only where `grant.revoked is set` is known
//! to hold (on the right of `and`, in `require` after a `where`, ...).

use super::ir::{self, Kind};
use super::{declared_twice, Unresolved};
use crate::ast::{self, BinOp, ExprKind, Item};
use crate::diagnostics::Diag;
use crate::schema::{RecordId, Ty, Types};
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::value::Value;
use std::collections::{HashMap, HashSet};

/// Checks each constant's value against its declared type. Returns the
/// values by index into `Types::consts`.
/// Constants are checked in order, each value stored before the next is
/// checked: a constant may use the ones declared before it.
pub(super) fn check_consts(
    types: &mut Types,
    unresolved: &Unresolved,
    files: &[ast::File],
    errors: &mut Vec<Diag>,
) {
    let mut seen = HashSet::new();
    for item in files.iter().flat_map(|f| &f.items) {
        let Item::Const(decl) = item else {
            continue;
        };
        // A constant declared again was reported with the declarations.
        if !seen.insert(decl.name.name.as_str()) {
            continue;
        }
        let Some((index, def)) = types
            .consts
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == decl.name.name)
        else {
            continue;
        };
        if let Some(clash) = const_clash(types, &decl.name.name) {
            errors.push(
                Diag::new(
                    &decl.name.span,
                    format!("the constant `{}` would hide {clash}", decl.name.name),
                )
                .label("name already taken")
                .help("give the constant a name of its own, such as `EEA` or `NORDICS`"),
            );
            continue;
        }
        let def_ty = def.ty.clone();
        // No manifest is in scope: a constant is made of literals.
        let mut cx = RuleCx::new(types, unresolved, usize::MAX);
        cx.in_const = true;
        let checked = cx.expr(&decl.value, Some(&def_ty));
        let value = checked.and_then(|e| {
            if e.ty != def_ty {
                let (want, got) = (cx.ty(&def_ty), cx.ty(&e.ty));
                cx.errors.push(
                    Diag::new(&decl.value.span, format!("expected `{want}`, found `{got}`"))
                        .label(format!("this is a `{got}`")),
                );
                return None;
            }
            constant(&e).or_else(|| {
                cx.errors.push(
                    Diag::new(&decl.value.span, "a constant must be a literal value")
                        .label("not a literal")
                        .help("write the value out: a list, a date, a duration, a string or enum values"),
                );
                None
            })
        });
        errors.append(&mut cx.errors);
        if let (Some(v), Some(c)) = (value, types.consts.get_mut(index)) {
            c.value = v;
        }
    }
}

/// What a constant's name would hide: an enum value or branch, or a field
/// of a schema's root, where rules already use that name.
fn const_clash(types: &Types, name: &str) -> Option<String> {
    for e in &types.enums {
        if e.index(name).is_some() {
            return Some(format!("the value `{name}` of `{}`", e.name));
        }
        if e.branches().iter().any(|b| b == name) {
            return Some(format!("the branch `{name}` of `{}`", e.name));
        }
    }
    types.schemas.iter().find_map(|s| {
        let root = types.record(s.root)?;
        root.field(name)
            .map(|_| format!("the field `{name}` of `{}`", s.id))
    })
}

/// The value of an expression made of literals only.
fn constant(e: &ir::Expr) -> Option<Value> {
    match &e.kind {
        Kind::Lit(v) => Some(v.clone()),
        Kind::List(items) => items
            .iter()
            .map(constant)
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        _ => None,
    }
}

pub(super) fn check_rules(
    types: &Types,
    unresolved: &Unresolved,
    files: &[ast::File],
    errors: &mut Vec<Diag>,
) -> Vec<ir::Rule> {
    let mut rules = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for file in files {
        let mut policy: Option<(String, usize)> = None;
        let mut policy_failed = false;
        for item in &file.items {
            match item {
                Item::Policy(p) => match types.schema(&p.schema.name) {
                    Some((index, _)) => {
                        policy = Some((p.name.name.clone(), index));
                        policy_failed = false;
                    }
                    None if unresolved.broken(&p.schema.name) => {
                        policy = None;
                        policy_failed = true;
                    }
                    None => {
                        let ids = types.schemas.iter().map(|s| s.id.as_str());
                        let d = Diag::new(
                            &p.schema.span,
                            format!("unknown schema `{}`", p.schema.name),
                        )
                        .label("no schema has this id");
                        errors.push(match did_you_mean(&p.schema.name, ids) {
                            Some(s) => d.did_you_mean(s),
                            None => d.help("declare it with `schema ID { ... }` in a policy file"),
                        });
                        policy = None;
                        policy_failed = true;
                    }
                },
                Item::Rule(rule) => {
                    if let Some(first) = seen.get(&rule.id.name) {
                        errors.push(
                            declared_twice("rule", &rule.id.span, &rule.id.name, first)
                                .help("rule ids must be unique across all loaded policy files"),
                        );
                        continue;
                    }
                    seen.insert(rule.id.name.clone(), rule.id.span.clone());
                    // The built-in checks' ids name them in every report and
                    // waiver: a rule may not take one, nor their prefixes,
                    // which are kept for checks to come.
                    if let Some(prefix) = ["manifest/", "proviso/"]
                        .into_iter()
                        .find(|p| rule.id.name.starts_with(p))
                    {
                        errors.push(
                            Diag::new(
                                &rule.id.span,
                                format!(
                                    "rule `{}` takes the prefix `{prefix}` of the checks built into proviso",
                                    rule.id.name
                                ),
                            )
                            .label("a built-in check's prefix")
                            .help("give the rule an id under its policy's own prefix, such as `ours/...`"),
                        );
                        continue;
                    }
                    let Some((policy_name, schema)) = &policy else {
                        // A `policy` line that did not parse was reported.
                        let broken_policy = file
                            .broken
                            .iter()
                            .any(|b| b == crate::syntax::BROKEN_POLICY);
                        if !policy_failed && !broken_policy {
                            errors.push(
                                Diag::new(&rule.id.span, format!("rule `{}` has no policy", rule.id.name))
                                    .label("declared before any `policy`")
                                    .help("start the file with `policy NAME for SCHEMA`, for example `policy ftc2012 for partnership/v1`"),
                            );
                        }
                        continue;
                    };
                    let Some(root) = types.schemas.get(*schema).map(|s| s.root) else {
                        continue;
                    };
                    let mut cx = RuleCx::new(types, unresolved, root);
                    let checked = cx.rule(rule, policy_name, *schema);
                    match checked {
                        Some(r) if cx.errors.is_empty() => rules.push(r),
                        // A rule is never dropped without saying why, unless
                        // it read something whose declaration has an error.
                        None if cx.errors.is_empty() && !cx.silenced => cx.errors.push(
                            Diag::new(&rule.id.span, format!("rule `{}` could not be checked", rule.id.name))
                                .label("this rule")
                                .help("an earlier error in a constant or type it uses is the likely cause"),
                        ),
                        _ => {}
                    }
                    errors.append(&mut cx.errors);
                }
                Item::Schema(_) | Item::Record(_) | Item::Enum(_) | Item::Const(_) => {}
            }
        }
    }
    rules
}

pub(super) struct Var {
    pub(super) name: String,
    pub(super) ty: Ty,
    pub(super) slot: usize,
}

pub(super) struct RuleCx<'a> {
    pub(super) types: &'a Types,
    pub(super) unresolved: &'a Unresolved,
    pub(super) root: RecordId,
    pub(super) errors: Vec<Diag>,
    pub(super) vars: Vec<Var>,
    pub(super) slots: usize,
    /// Paths (`grant.revoked`) known to be set at this point.
    pub(super) guarded: Vec<String>,
    /// Variables whose binding failed to check: their uses are not
    /// reported again.
    pub(super) poisoned: Vec<String>,
    /// Checking a message hole, where a missing value is shown, not read.
    pub(super) in_hole: bool,
    /// Checking a constant's value, where only earlier constants are known.
    pub(super) in_const: bool,
    /// Checking a rule that reads `manifests`: it has no manifest of its
    /// own, so the manifest's fields are read through a variable.
    pub(super) across: bool,
    /// Something was read whose declaration has an error (reported there).
    pub(super) silenced: bool,
}

impl<'a> RuleCx<'a> {
    /// A context for one rule of the schema whose root record is `root`.
    pub(super) fn new(types: &'a Types, unresolved: &'a Unresolved, root: RecordId) -> RuleCx<'a> {
        RuleCx {
            types,
            unresolved,
            root,
            errors: Vec::new(),
            vars: Vec::new(),
            slots: 0,
            guarded: Vec::new(),
            poisoned: Vec::new(),
            in_hole: false,
            in_const: false,
            across: false,
            silenced: false,
        }
    }
}

/// The name of the list of every manifest, for rules across manifests.
pub(super) const MANIFESTS: &str = "manifests";

/// Whether a requirement reads `manifests` anywhere.
fn reads_manifests(req: &ast::Requirement) -> bool {
    let exprs = req
        .each
        .iter()
        .flat_map(|e| std::iter::once(&e.collection).chain(e.filter.as_ref()))
        .chain(req.filter.as_ref())
        .chain(std::iter::once(&req.require))
        .chain(req.at.as_ref());
    let holes = [Some(&req.message), req.help.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|t| &t.parts)
        .filter_map(|p| match p {
            ast::TemplatePart::Hole(e) => Some(e),
            ast::TemplatePart::Text(_) => None,
        });
    exprs.chain(holes).any(mentions_manifests)
}

fn mentions_manifests(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Path(segs) => segs.first().is_some_and(|s| s.name == MANIFESTS),
        ExprKind::Branch(_)
        | ExprKind::Str(_)
        | ExprKind::Int(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(_)
        | ExprKind::Today => false,
        ExprKind::List(items) => items.iter().any(mentions_manifests),
        ExprKind::Not(inner) => mentions_manifests(inner),
        ExprKind::Binary(_, a, b) => mentions_manifests(a) || mentions_manifests(b),
        ExprKind::IsSet { expr, .. } => mentions_manifests(expr),
        ExprKind::Call { each, arg, .. } => {
            each.as_ref().is_some_and(|(_, c)| mentions_manifests(c)) || mentions_manifests(arg)
        }
        ExprKind::Quantified {
            collection, body, ..
        } => mentions_manifests(collection) || mentions_manifests(body),
    }
}

fn path_text(segs: &[ast::Ident]) -> String {
    segs.iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Paths that are known to be set when `e` evaluates to `when`.
pub(super) fn facts(e: &ast::Expr, when: bool, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::IsSet { expr, negated } => {
            if let ExprKind::Path(segs) = &expr.kind {
                if when != *negated {
                    out.push(path_text(segs));
                }
            }
        }
        ExprKind::Binary(BinOp::And, a, b) if when => {
            facts(a, true, out);
            facts(b, true, out);
        }
        ExprKind::Binary(BinOp::Or, a, b) if !when => {
            facts(a, false, out);
            facts(b, false, out);
        }
        ExprKind::Not(inner) => facts(inner, !when, out),
        _ => {}
    }
}

impl RuleCx<'_> {
    pub(super) fn ty(&self, ty: &Ty) -> String {
        self.types.display(ty).to_string()
    }

    pub(super) fn rule(
        &mut self,
        rule: &ast::RuleDecl,
        policy: &str,
        schema: usize,
    ) -> Option<ir::Rule> {
        self.across = rule.requirements.iter().any(reads_manifests);
        if rule.title.trim().is_empty() {
            self.errors.push(
                Diag::new(
                    &rule.id.span,
                    format!("rule `{}` has an empty title", rule.id.name),
                )
                .label("this rule")
                .help("say in one line what the rule demands: `title \"...\"`"),
            );
        }
        let mut requirements = Vec::new();
        let mut failed = false;
        for req in &rule.requirements {
            // Each requirement binds its own variables and knows only its
            // own guards.
            self.vars.clear();
            self.poisoned.clear();
            self.guarded.clear();
            match self.requirement(req) {
                Some(r) => requirements.push(r),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        Some(ir::Rule {
            id: rule.id.name.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            doc: rule.doc.clone(),
            policy: policy.to_string(),
            schema,
            requirements,
            across: self.across,
            slots: self.slots,
            span: rule.span.clone(),
            id_span: rule.id.span.clone(),
        })
    }

    fn requirement(&mut self, req: &ast::Requirement) -> Option<ir::Requirement> {
        let mut each = Vec::new();
        let mut failed = false;
        for clause in &req.each {
            let Some((coll, slot)) = self.bind_item(&clause.var, &clause.collection) else {
                self.poisoned.push(clause.var.name.clone());
                failed = true;
                continue;
            };
            let filter = clause.filter.as_ref().and_then(|f| {
                let checked = self.boolean(f);
                // What the filter guarantees holds for the rest of the
                // requirement.
                let mut known = Vec::new();
                facts(f, true, &mut known);
                self.guarded.extend(known);
                checked
            });
            if clause.filter.is_some() && filter.is_none() {
                failed = true;
            }
            each.push(ir::Each {
                slot,
                name: clause.var.name.clone(),
                collection: coll,
                filter,
            });
        }
        let mut facts_where = Vec::new();
        let filter = match &req.filter {
            Some(f) => {
                let checked = self.boolean(f);
                if checked.is_none() {
                    failed = true;
                }
                facts(f, true, &mut facts_where);
                checked
            }
            None => None,
        };
        self.guarded.extend(facts_where);
        let require = self.boolean(&req.require);
        // Like a message hole, `at` may name an optional value: a missing
        // one points at its parent.
        let at = req.at.as_ref().and_then(|a| {
            let checked = self.expr(a, None)?;
            if matches!(checked.kind, Kind::Lit(_)) {
                self.errors.push(
                    Diag::new(
                        &a.span,
                        format!("`{}` is not a value of the manifest", a.span.text()),
                    )
                    .label("a fixed value")
                    .help("`at` names where a failure points: a path such as `grant.id`"),
                );
                return None;
            }
            Some(checked)
        });
        if req.at.is_some() && at.is_none() {
            failed = true;
        }
        let blank = req.message.parts.iter().all(|p| match p {
            ast::TemplatePart::Text(t) => t.trim().is_empty(),
            ast::TemplatePart::Hole(_) => false,
        });
        if blank {
            self.errors.push(
                Diag::new(&req.message.span, "this message is empty")
                    .label("says nothing")
                    .help("say what is wrong, with the values that show it: `message \"{partner.name} ...\"`"),
            );
            failed = true;
        }
        let message = self.template(&req.message);
        let help = req.help.as_ref().map(|h| self.template(h));
        if failed {
            return None;
        }
        Some(ir::Requirement {
            each,
            filter,
            require: require?,
            at,
            message,
            help,
            span: req.span.clone(),
        })
    }

    /// Binds `var` to the items of `collection` (an `each`, a quantifier, a
    /// function over items): the collection is checked, and the name must
    /// be free. Returns the checked collection and the variable's slot.
    pub(super) fn bind_item(
        &mut self,
        var: &ast::Ident,
        collection: &ast::Expr,
    ) -> Option<(ir::Expr, usize)> {
        let coll = self.expr(collection, None)?;
        let elem = self.iterable(&coll, &collection.span)?;
        if self.shadows_root(var) {
            return None;
        }
        if self.lookup_var(&var.name).is_some() {
            self.errors.push(
                Diag::new(&var.span, format!("`{}` is already bound", var.name))
                    .label("bound again here")
                    .help("give each variable its own name"),
            );
            return None;
        }
        Some((coll, self.bind(&var.name, elem)))
    }

    /// A variable named like a field of the manifest would make every path
    /// that starts with that name ambiguous (and guards with it).
    pub(super) fn shadows_root(&mut self, var: &ast::Ident) -> bool {
        let is_field = self
            .root_record()
            .and_then(|r| r.field(&var.name))
            .is_some()
            || self.unresolved.field(self.root, &var.name);
        if is_field {
            self.errors.push(
                Diag::new(
                    &var.span,
                    format!("`{}` is a field of the manifest", var.name),
                )
                .label("a variable cannot take this name")
                .help("give the variable a name of its own, such as a singular: `each grant in grants`"),
            );
        }
        is_field
    }

    pub(super) fn bind(&mut self, name: &str, ty: Ty) -> usize {
        let slot = self.slots;
        self.slots += 1;
        self.vars.push(Var {
            name: name.to_string(),
            ty,
            slot,
        });
        slot
    }

    pub(super) fn template(&mut self, t: &ast::Template) -> Vec<ir::Part> {
        let mut parts = Vec::new();
        for part in &t.parts {
            match part {
                ast::TemplatePart::Text(s) => parts.push(ir::Part::Text(s.clone())),
                ast::TemplatePart::Hole(e) => {
                    // Optional values may be shown unguarded: a missing one
                    // (or one under a missing record) renders as "not set".
                    self.in_hole = true;
                    let checked = self.expr(e, None);
                    self.in_hole = false;
                    let Some(checked) = checked else {
                        continue;
                    };
                    let shown = match checked.ty.required() {
                        Ty::Record(_) => false,
                        Ty::List(elem) => !matches!(elem.required(), Ty::Record(_)),
                        _ => true,
                    };
                    if !shown {
                        let ty = self.ty(&checked.ty);
                        self.errors.push(
                            Diag::new(
                                &e.span,
                                format!("`{}` cannot be shown in a message", e.span.text()),
                            )
                            .label(format!("a `{ty}` has no text form"))
                            .help("show one of its fields instead, for example its `id`"),
                        );
                        continue;
                    }
                    parts.push(ir::Part::Hole(checked));
                }
            }
        }
        parts
    }

    /// The element type of a collection to iterate. An optional list that
    /// is missing iterates as empty.
    pub(super) fn iterable(&mut self, coll: &ir::Expr, span: &Span) -> Option<Ty> {
        // Bindings point into the manifest, so that findings can point at
        // what they are about.
        if matches!(coll.kind, Kind::Lit(_) | Kind::List(_)) {
            self.errors.push(
                Diag::new(
                    span,
                    format!("`{}` is not a list of the manifest", span.text()),
                )
                .label("a fixed value")
                .help(format!(
                    "iterate over the manifest and test membership instead: `x in {}`",
                    span.text()
                )),
            );
            return None;
        }
        match coll.ty.required() {
            Ty::List(elem) => Some((**elem).clone()),
            other => {
                let shown = self.ty(other);
                self.errors.push(
                    Diag::new(span, format!("cannot iterate over `{}`", span.text()))
                        .label(format!("this is a `{shown}`, not a list")),
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, e: &ast::Expr) -> Option<ir::Expr> {
        let checked = self.expr(e, Some(&Ty::Bool))?;
        let checked = self.present(checked, e, None)?;
        if checked.ty != Ty::Bool {
            let shown = self.ty(&checked.ty);
            self.errors.push(
                Diag::new(&e.span, format!("expected a condition, found `{shown}`"))
                    .label(format!("this is a `{shown}`"))
                    .help("compare it with a value, for example `x == ...` or `x in [...]`"),
            );
            return None;
        }
        Some(checked)
    }

    /// Accepts an optional value only where a guard makes it present.
    /// `whole` is the expression that reads it, for the suggested guard.
    pub(super) fn present(
        &mut self,
        mut e: ir::Expr,
        src: &ast::Expr,
        whole: Option<&ast::Expr>,
    ) -> Option<ir::Expr> {
        let Ty::Optional(inner) = &e.ty else {
            return Some(e);
        };
        let guarded = match &src.kind {
            ExprKind::Path(segs) => self.guarded.contains(&path_text(segs)),
            _ => false,
        };
        if guarded {
            e.ty = (**inner).clone();
            return Some(e);
        }
        let text = src.span.text();
        let help = match whole {
            Some(w) => {
                let w = w.span.text();
                format!("guard the read: `{text} is set and {w}`, or `{text} is not set or {w}` to accept a missing value")
            }
            None => format!(
                "guard the condition that reads it: `{text} is set and ...`, or `{text} is not set or ...` to accept a missing value"
            ),
        };
        self.errors.push(
            Diag::new(
                &src.span,
                format!("`{text}` is optional and may be missing"),
            )
            .label("read without a guard")
            .help(help),
        );
        None
    }

    pub(super) fn lookup_var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    pub(super) fn root_record(&self) -> Option<&crate::schema::RecordDef> {
        self.types.record(self.root)
    }

    /// A path whose first name is neither a variable nor a field of the
    /// manifest: an enum literal, typed by its context.
    pub(super) fn is_unbound(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Path(segs) | ExprKind::Branch(segs) => segs.first().is_some_and(|first| {
                self.lookup_var(&first.name).is_none()
                    && first.name != MANIFESTS
                    && self
                        .root_record()
                        .and_then(|r| r.field(&first.name))
                        .is_none()
                    && !self.types.consts.iter().any(|c| c.name == first.name)
                    && !self.unresolved.field(self.root, &first.name)
                    && !self.unresolved.constant(&first.name)
            }),
            ExprKind::List(items) => !items.is_empty() && items.iter().all(|i| self.is_unbound(i)),
            _ => false,
        }
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> Option<ir::Expr> {
        let span = e.span.clone();
        let mk = |kind: Kind, ty: Ty| {
            Some(ir::Expr {
                kind,
                ty,
                span: span.clone(),
            })
        };
        match &e.kind {
            ExprKind::Path(segs) => self.path(segs, e, expected),
            ExprKind::Branch(segs) => self.branch(segs, e, expected),
            ExprKind::Str(s) => mk(Kind::Lit(Value::Str(s.clone())), Ty::Str),
            ExprKind::Int(i) => mk(Kind::Lit(Value::Int(*i)), Ty::Int),
            ExprKind::Bool(b) => mk(Kind::Lit(Value::Bool(*b)), Ty::Bool),
            ExprKind::Date(d) => mk(Kind::Lit(Value::Date(*d)), Ty::Date),
            ExprKind::Duration(d) => mk(Kind::Lit(Value::Duration(*d)), Ty::Duration),
            ExprKind::Today => mk(Kind::Today, Ty::Date),
            ExprKind::List(items) => self.list(items, e, expected),
            ExprKind::Not(inner) => {
                let inner = self.boolean(inner)?;
                mk(Kind::Not(Box::new(inner)), Ty::Bool)
            }
            ExprKind::IsSet { expr, negated } => {
                let checked = self.expr(expr, None)?;
                if !checked.ty.is_optional() {
                    self.errors.push(
                        Diag::new(&expr.span, format!("`{}` is always set", expr.span.text()))
                            .label("not an optional field")
                            .help("`is set` tests optional fields (declared with `?`)"),
                    );
                    return None;
                }
                mk(
                    Kind::IsSet {
                        expr: Box::new(checked),
                        negated: *negated,
                    },
                    Ty::Bool,
                )
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e),
            ExprKind::Call { func, each, arg } => self.call(func, each.as_ref(), arg, e),
            ExprKind::Quantified {
                quantifier,
                var,
                collection,
                body,
            } => {
                let (coll, slot) = self.bind_item(var, collection)?;
                let body = self.boolean(body);
                // The variable's scope ends with the body.
                self.vars.retain(|v| v.slot != slot);
                mk(
                    Kind::Quant {
                        quantifier: *quantifier,
                        slot,
                        collection: Box::new(coll),
                        body: Box::new(body?),
                    },
                    Ty::Bool,
                )
            }
        }
    }

    pub(super) fn path(
        &mut self,
        segs: &[ast::Ident],
        e: &ast::Expr,
        expected: Option<&Ty>,
    ) -> Option<ir::Expr> {
        let first = segs.first()?;
        if self.poisoned.contains(&first.name) && self.lookup_var(&first.name).is_none() {
            return None;
        }
        let (mut cur, mut ty) = if let Some(v) = self.lookup_var(&first.name) {
            (Kind::Var(v.slot), v.ty.clone())
        } else if first.name == MANIFESTS && !self.in_const {
            (Kind::Manifests, Ty::List(Box::new(Ty::Record(self.root))))
        } else if let Some((index, f)) = self.root_record().and_then(|r| r.field(&first.name)) {
            if self.across {
                self.errors.push(
                    Diag::new(
                        &first.span,
                        format!(
                            "`{}` is a field of each manifest, and this rule reads all of them",
                            first.name
                        ),
                    )
                    .label("which manifest's?")
                    .help(format!(
                        "name the manifest with a variable: `each m in manifests`, then `m.{}`",
                        e.span.text()
                    )),
                );
                return None;
            }
            let base = ir::Expr {
                kind: Kind::Root,
                ty: Ty::Record(self.root),
                span: first.span.clone(),
            };
            (
                Kind::Field {
                    base: Box::new(base),
                    index,
                    name: first.name.clone(),
                },
                f.ty.clone(),
            )
        } else if let Some(c) = self.types.consts.iter().find(|c| c.name == first.name) {
            if let Some(field) = segs.get(1) {
                self.errors.push(
                    Diag::new(
                        &field.span,
                        format!("`{}` is a constant and has no fields", first.name),
                    )
                    .label("no such field")
                    .related(&c.span, "declared here"),
                );
                return None;
            }
            if c.value == Value::Invalid {
                // Checking another constant: this one comes later. In a
                // rule: its own value failed to check and was reported.
                self.silenced |= !self.in_const;
                if self.in_const {
                    self.errors.push(
                        Diag::new(&first.span, format!("`{}` is not known yet", first.name))
                            .label("declared later, or its value has an error")
                            .related(&c.span, "declared here")
                            .help("a constant may use only the constants declared before it"),
                    );
                }
                return None;
            }
            return Some(ir::Expr {
                kind: Kind::Lit(c.value.clone()),
                ty: c.ty.clone(),
                span: e.span.clone(),
            });
        } else if self.unresolved.field(self.root, &first.name)
            || self.unresolved.constant(&first.name)
        {
            self.silenced = true;
            return None;
        } else {
            return self.enum_literal(segs, e, expected);
        };
        for (i, seg) in segs.iter().enumerate().skip(1) {
            let prefix_span = first.span.to(&segs
                .get(i - 1)
                .map_or(first.span.clone(), |s| s.span.clone()));
            if ty.is_optional() {
                let prefix_text = path_text(segs.get(..i).unwrap_or_default());
                if self.guarded.contains(&prefix_text) || self.in_hole {
                    ty = ty.required().clone();
                } else {
                    self.errors.push(
                        Diag::new(
                            &prefix_span,
                            format!("`{prefix_text}` is optional and may be missing"),
                        )
                        .label("read without a guard")
                        .help(format!(
                            "guard the read: `{prefix_text} is set and {}`",
                            e.span.text()
                        )),
                    );
                    return None;
                }
            }
            let Ty::Record(rid) = ty else {
                let shown = self.ty(&ty);
                let whole = prefix_span.text();
                // `grants.length`, `partner.name.size`: a function, written
                // as a field.
                let help = match (&ty, seg.name.as_str()) {
                    (Ty::List(_) | Ty::Map(..), "length" | "len" | "size" | "count") => {
                        Some(format!("count the items with `count({whole})`"))
                    }
                    (Ty::Str, "length" | "len" | "size") => {
                        Some(format!("measure it with `length({whole})`"))
                    }
                    _ => None,
                };
                self.errors.push(
                    Diag::new(&seg.span, format!("`{whole}` has no fields"))
                        .label(format!("`{whole}` is a `{shown}`"))
                        .help_opt(help),
                );
                return None;
            };
            let rec = self.types.record(rid)?;
            let Some((index, f)) = rec.field(&seg.name) else {
                if self.unresolved.field(rid, &seg.name) {
                    self.silenced = true;
                    return None;
                }
                let mut d = Diag::new(
                    &seg.span,
                    format!("no field `{}` in `{}`", seg.name, rec.name),
                )
                .label("unknown field")
                .related(&rec.span, format!("`{}` is declared here", rec.name));
                d = match did_you_mean(&seg.name, rec.field_names()) {
                    Some(s) => d.did_you_mean(s),
                    None => d.help(format!(
                        "the fields of `{}` are: {}",
                        rec.name,
                        rec.field_names().collect::<Vec<_>>().join(", ")
                    )),
                };
                self.errors.push(d);
                return None;
            };
            let base = ir::Expr {
                kind: cur,
                ty: ty.clone(),
                span: prefix_span,
            };
            cur = Kind::Field {
                base: Box::new(base),
                index,
                name: seg.name.clone(),
            };
            ty = f.ty.clone();
        }
        Some(ir::Expr {
            kind: cur,
            ty,
            span: e.span.clone(),
        })
    }

    /// `content.private_messages` where an enum value is expected.
    pub(super) fn enum_literal(
        &mut self,
        segs: &[ast::Ident],
        e: &ast::Expr,
        expected: Option<&Ty>,
    ) -> Option<ir::Expr> {
        let name = path_text(segs);
        let (enum_id, as_list) = match expected.map(Ty::required) {
            Some(Ty::Enum(id)) => (*id, false),
            Some(Ty::List(inner)) => match inner.required() {
                Ty::Enum(id) => (*id, true),
                _ => return self.unknown_name(segs, e),
            },
            _ => return self.unknown_name(segs, e),
        };
        let def = self.types.enum_def(enum_id)?;
        let Some(index) = def.index(&name) else {
            if def.branches().contains(&name) {
                self.errors.push(
                    Diag::new(
                        &e.span,
                        format!("`{name}` is a branch of `{}`, not a value", def.name),
                    )
                    .label("a branch")
                    .help(format!("did you mean `{name}.*`, every value under it?")),
                );
                return None;
            }
            let values = def.values.iter().map(String::as_str);
            let mut d = Diag::new(
                &e.span,
                format!("`{name}` is not a value of `{}`", def.name),
            )
            .label("unknown value")
            .related(&def.span, format!("`{}` is declared here", def.name));
            // A misspelt constant reads as an unknown value (`in EAA` for
            // `in EEA`): its name is suggested when no value is close.
            let constant = || {
                did_you_mean(&name, self.types.consts.iter().map(|c| c.name.as_str()))
                    .map(str::to_string)
            };
            d = match did_you_mean(&name, values) {
                Some(s) => d.did_you_mean(s),
                None => match constant() {
                    Some(c) => d.did_you_mean(&c),
                    None if def.values.len() <= 12 => {
                        d.help(format!("the values are: {}", def.values.join(", ")))
                    }
                    None => d,
                },
            };
            self.errors.push(d);
            return None;
        };
        let value = Value::Enum(index);
        let (value, ty) = if as_list {
            (
                Value::List(vec![value]),
                Ty::List(Box::new(Ty::Enum(enum_id))),
            )
        } else {
            (value, Ty::Enum(enum_id))
        };
        Some(ir::Expr {
            kind: Kind::Lit(value),
            ty,
            span: e.span.clone(),
        })
    }

    pub(super) fn unknown_name(&mut self, segs: &[ast::Ident], e: &ast::Expr) -> Option<ir::Expr> {
        let first = segs.first()?;
        let mut candidates: Vec<&str> = self.vars.iter().map(|v| v.name.as_str()).collect();
        if let Some(r) = self.root_record() {
            candidates.extend(r.field_names());
        }
        let mut d = Diag::new(&first.span, format!("unknown name `{}`", first.name))
            .label("not a variable or field");
        d = match did_you_mean(&first.name, candidates.iter().copied()) {
            Some(s) => d.did_you_mean(s),
            None => d.help(format!("names in scope: {}", candidates.join(", "))),
        };
        let _ = e;
        self.errors.push(d);
        None
    }

    pub(super) fn branch(
        &mut self,
        segs: &[ast::Ident],
        e: &ast::Expr,
        expected: Option<&Ty>,
    ) -> Option<ir::Expr> {
        let name = path_text(segs);
        let enum_id = match expected.map(Ty::required) {
            Some(Ty::List(inner)) => match inner.required() {
                Ty::Enum(id) => Some(*id),
                _ => None,
            },
            _ => None,
        };
        let Some(enum_id) = enum_id else {
            self.errors.push(
                Diag::new(&e.span, format!("cannot tell which enum `{name}.*` belongs to"))
                    .label("no enum expected here")
                    .help("use a branch where a list of enum values is expected, for example `grant.data has any special.*`"),
            );
            return None;
        };
        let def = self.types.enum_def(enum_id)?;
        let values = def.branch(&name);
        if values.is_empty() {
            let branches = def.branches();
            let mut d = Diag::new(
                &e.span,
                format!("`{name}` is not a branch of `{}`", def.name),
            )
            .label("matches no value")
            .related(&def.span, format!("`{}` is declared here", def.name));
            if let Some(s) = did_you_mean(&name, branches.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{s}.*`?"));
            }
            self.errors.push(d);
            return None;
        }
        Some(ir::Expr {
            kind: Kind::Lit(Value::List(values.into_iter().map(Value::Enum).collect())),
            ty: Ty::List(Box::new(Ty::Enum(enum_id))),
            span: e.span.clone(),
        })
    }

    pub(super) fn list(
        &mut self,
        items: &[ast::Expr],
        e: &ast::Expr,
        expected: Option<&Ty>,
    ) -> Option<ir::Expr> {
        let elem_expected = match expected.map(Ty::required) {
            Some(Ty::List(inner)) => Some(inner.required().clone()),
            _ => None,
        };
        let mut out = Vec::new();
        let mut elem_ty: Option<Ty> = elem_expected.clone();
        let mut ok = true;
        for item in items {
            // `[special.*, content.private_messages]`: a branch stands for
            // all its values.
            if let (ExprKind::Branch(segs), Some(Ty::Enum(id))) = (&item.kind, elem_ty.as_ref()) {
                let list_ty = Ty::List(Box::new(Ty::Enum(*id)));
                match self.branch(segs, item, Some(&list_ty)) {
                    Some(ir::Expr {
                        kind: Kind::Lit(Value::List(values)),
                        ..
                    }) => {
                        for v in values {
                            out.push(ir::Expr {
                                kind: Kind::Lit(v),
                                ty: Ty::Enum(*id),
                                span: item.span.clone(),
                            });
                        }
                    }
                    _ => ok = false,
                }
                continue;
            }
            let Some(checked) = self.expr(item, elem_ty.as_ref()) else {
                ok = false;
                continue;
            };
            let Some(checked) = self.present(checked, item, None) else {
                ok = false;
                continue;
            };
            match &elem_ty {
                Some(t) if *t != checked.ty => {
                    let (want, got) = (self.ty(t), self.ty(&checked.ty));
                    // `["consent"]` where enum values are expected.
                    let bare = match (t, &checked.kind) {
                        (Ty::Enum(id), Kind::Lit(Value::Str(text))) => {
                            self.types.enum_def(*id).and_then(|def| {
                                def.index(text).map(|_| text.as_str()).or_else(|| {
                                    did_you_mean(text, def.values.iter().map(String::as_str))
                                })
                            })
                        }
                        _ => None,
                    };
                    let help = match bare {
                        Some(v) => format!("enum values are written bare, without quotes: `{v}`"),
                        None => "all items of a list have the same type".to_string(),
                    };
                    self.errors.push(
                        Diag::new(&item.span, format!("expected `{want}`, found `{got}`"))
                            .label(format!("this is a `{got}`"))
                            .help(help),
                    );
                    ok = false;
                }
                Some(_) => {}
                None => elem_ty = Some(checked.ty.clone()),
            }
            out.push(checked);
        }
        if !ok {
            return None;
        }
        let Some(elem) = elem_ty else {
            self.errors.push(
                Diag::new(&e.span, "cannot tell the type of an empty list")
                    .label("empty list")
                    .help("compare with a list that has at least one value"),
            );
            return None;
        };
        // A list of literals is itself a literal: evaluation reads it in
        // place instead of building it for every binding.
        let kind = match out.iter().map(constant).collect::<Option<Vec<_>>>() {
            Some(values) => Kind::Lit(Value::List(values)),
            None => Kind::List(out),
        };
        Some(ir::Expr {
            kind,
            ty: Ty::List(Box::new(elem)),
            span: e.span.clone(),
        })
    }
}
