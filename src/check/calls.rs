//! Type checking of the functions over lists and strings: `count`, `sum`,
//! `unique` and `length`, applied to a value (`count(grants)`) or to each
//! item of a list (`count(grant in grants: grant.retention is set)`).

use super::ir::{self, Agg, Kind};
use super::rules::RuleCx;
use crate::ast;
use crate::diagnostics::Diag;
use crate::schema::Ty;
use crate::suggest::did_you_mean;

/// Names people reach for, and the function that does the job.
const OTHER_NAMES: [(&str, &str); 6] = [
    ("len", "length"),
    ("size", "count"),
    ("distinct", "unique"),
    ("total", "sum"),
    ("number", "count"),
    ("strlen", "length"),
];

/// The list of function names, for messages.
fn names() -> String {
    let names: Vec<String> = Agg::ALL.iter().map(|a| format!("`{}`", a.name())).collect();
    match names.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.join(""),
    }
}

/// Whether values of `ty` can be told apart by equality: what `unique`
/// compares.
fn is_scalar(ty: &Ty) -> bool {
    match ty.required() {
        Ty::Bool | Ty::Int | Ty::Str | Ty::Date | Ty::Duration | Ty::Enum(_) => true,
        Ty::List(_) | Ty::Map(..) | Ty::Record(_) | Ty::Optional(_) => false,
    }
}

/// Whether values of `ty` add up: ints and durations.
fn is_summable(ty: &Ty) -> bool {
    match ty.required() {
        Ty::Int | Ty::Duration => true,
        Ty::Bool
        | Ty::Str
        | Ty::Date
        | Ty::Enum(_)
        | Ty::List(_)
        | Ty::Map(..)
        | Ty::Record(_)
        | Ty::Optional(_) => false,
    }
}

impl RuleCx<'_> {
    /// A function given what it does not take: at the argument, labelled
    /// with its type.
    fn misapplied(
        &mut self,
        arg: &ast::Expr,
        message: String,
        shown: &str,
        help: impl Into<String>,
    ) {
        self.errors.push(
            Diag::new(&arg.span, message)
                .label(format!("a `{shown}`"))
                .help(help),
        );
    }

    pub(super) fn call(
        &mut self,
        func: &ast::Ident,
        each: Option<&(ast::Ident, Box<ast::Expr>)>,
        arg: &ast::Expr,
        e: &ast::Expr,
    ) -> Option<ir::Expr> {
        let Some(agg) = Agg::ALL.into_iter().find(|a| a.name() == func.name) else {
            let lower = func.name.to_ascii_lowercase();
            let suggestion = OTHER_NAMES
                .iter()
                .find(|(other, _)| *other == lower)
                .map(|(_, name)| *name)
                .or_else(|| did_you_mean(&func.name, Agg::ALL.iter().map(|a| a.name())));
            let d = Diag::new(&func.span, format!("unknown function `{}`", func.name))
                .label("no such function");
            self.errors.push(match suggestion {
                Some(s) => d
                    .did_you_mean(s)
                    .help(format!("did you mean `{s}`? The functions are {}", names())),
                None => d.help(format!("the functions are {}", names())),
            });
            return None;
        };
        let mk = |kind: Kind, ty: Ty| {
            Some(ir::Expr {
                kind,
                ty,
                span: e.span.clone(),
            })
        };
        let Some((var, collection)) = each else {
            return self.call_on_value(agg, arg, e);
        };
        if agg == Agg::Length {
            self.errors.push(
                Diag::new(
                    &e.span,
                    "`length` takes a string or a list, not a condition",
                )
                .label("an item variable")
                .help(format!(
                    "count the items that satisfy a condition with `count({} in {}: ...)`",
                    var.name,
                    collection.span.text()
                )),
            );
            return None;
        }
        let (coll, slot) = self.bind_item(var, collection)?;
        let body = match agg {
            Agg::Count => self.boolean(arg),
            Agg::Sum | Agg::Unique | Agg::Length => self.item_value(agg, arg),
        };
        // The variable's scope ends with the call.
        self.vars.retain(|v| v.slot != slot);
        let body = body?;
        let ty = match agg {
            Agg::Count | Agg::Length => Ty::Int,
            Agg::Unique => Ty::Bool,
            Agg::Sum => body.ty.required().clone(),
        };
        mk(
            Kind::Agg {
                agg,
                slot: Some(slot),
                collection: Box::new(coll),
                body: Some(Box::new(body)),
            },
            ty,
        )
    }

    /// The value `sum` adds up or `unique` compares, for one item. It may
    /// be optional: items without it are left out.
    fn item_value(&mut self, agg: Agg, arg: &ast::Expr) -> Option<ir::Expr> {
        let body = self.expr(arg, None)?;
        let fits = match agg {
            Agg::Sum => is_summable(&body.ty),
            Agg::Unique => is_scalar(&body.ty),
            Agg::Count | Agg::Length => true,
        };
        if !fits {
            let shown = self.ty(&body.ty);
            let (wants, help) = match agg {
                Agg::Sum => ("ints or durations", "add up a number of each item, for example `sum(grant in grants: grant.monthly_users)`"),
                Agg::Count | Agg::Length | Agg::Unique => ("a single value of each item (a string, int, date, duration, enum value or boolean)", "compare a field that identifies the items, for example `unique(grant in grants: grant.id)`"),
            };
            self.misapplied(
                arg,
                format!("`{}` takes {wants}, and this is a `{shown}`", agg.name()),
                &shown,
                help,
            );
            return None;
        }
        Some(body)
    }

    /// `count(grants)`, `length(partner.name)`, `unique(grant.operations)`,
    /// `sum(...)` of a list.
    fn call_on_value(&mut self, agg: Agg, arg: &ast::Expr, e: &ast::Expr) -> Option<ir::Expr> {
        // `count(g in grants)`: an item variable without the condition.
        if let ast::ExprKind::Binary(ast::BinOp::In, item, list) = &arg.kind {
            let fresh = matches!(&item.kind, ast::ExprKind::Path(segs) if segs.len() == 1)
                && self.is_unbound(item);
            if fresh {
                let (item, list) = (item.span.text(), list.span.text());
                let help = match agg {
                    Agg::Count => format!("count every item with `count({list})`, or the items for which a condition holds with `count({item} in {list}: condition)`"),
                    Agg::Sum | Agg::Unique | Agg::Length => format!(
                        "say what of each item: `{}({item} in {list}: {item}.field)`",
                        agg.name()
                    ),
                };
                self.errors.push(
                    Diag::new(
                        &arg.span,
                        format!(
                            "`{}({})` lacks `:` and what follows it",
                            agg.name(),
                            arg.span.text()
                        ),
                    )
                    .label(format!("`{item}` is not bound outside this call"))
                    .help(help),
                );
                return None;
            }
        }
        let checked = self.expr(arg, None)?;
        let shown = self.ty(&checked.ty);
        // A missing optional list has no items, as when it is iterated; a
        // missing string has no length, so it must be guarded.
        let (checked, inner) = match checked.ty.required() {
            Ty::List(elem) => {
                let elem = (**elem).clone();
                (checked, Some(elem))
            }
            Ty::Map(..) if matches!(agg, Agg::Count | Agg::Length) => (checked, None),
            Ty::Str if agg == Agg::Length => (self.present(checked, arg, Some(e))?, None),
            Ty::Bool
            | Ty::Int
            | Ty::Str
            | Ty::Date
            | Ty::Duration
            | Ty::Enum(_)
            | Ty::Map(..)
            | Ty::Record(_)
            | Ty::Optional(_) => {
                let help = match (agg, &arg.kind) {
                    (Agg::Count, ast::ExprKind::Binary(ast::BinOp::In, item, list)) => format!(
                        "to count the items for which a condition holds, write `count({} in {}: condition)`",
                        item.span.text(),
                        list.span.text()
                    ),
                    (Agg::Length, _) => "`length` takes a string or a list".to_string(),
                    (Agg::Count, _) => "`count` takes a list: `count(grants)`".to_string(),
                    (Agg::Sum, _) => "`sum` takes a list of ints or durations, or adds up a value of each item: `sum(grant in grants: grant.monthly_users)`".to_string(),
                    (Agg::Unique, _) => "`unique` takes a list, or compares a value of each item: `unique(grant in grants: grant.id)`".to_string(),
                };
                self.misapplied(
                    arg,
                    format!("`{}` does not apply to a `{shown}`", agg.name()),
                    &shown,
                    help,
                );
                return None;
            }
        };
        let ty = match (agg, &inner) {
            (Agg::Count | Agg::Length, _) => Ty::Int,
            (Agg::Sum, Some(elem)) if is_summable(elem) => elem.required().clone(),
            (Agg::Unique, Some(elem)) if is_scalar(elem) => Ty::Bool,
            (Agg::Sum | Agg::Unique, _) => {
                let help = if agg == Agg::Sum {
                    "add up a number of each item: `sum(grant in grants: grant.monthly_users)`"
                } else {
                    "compare a value of each item: `unique(grant in grants: grant.id)`"
                };
                self.misapplied(
                    arg,
                    format!("`{}` does not apply to a `{shown}`", agg.name()),
                    &shown,
                    help,
                );
                return None;
            }
        };
        Some(ir::Expr {
            kind: Kind::Agg {
                agg,
                slot: None,
                collection: Box::new(checked),
                body: None,
            },
            ty,
            span: e.span.clone(),
        })
    }
}
