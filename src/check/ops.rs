//! Type checking of binary operators: comparisons, membership, list tests
//! and date arithmetic. Enum literals take their type from the other side.

use super::ir::{self, Kind, Pattern};
use super::rules::{facts, RuleCx};
use crate::ast::{self, BinOp};
use crate::diagnostics::Diag;
use crate::ops::{Class, Text};
use crate::schema::Ty;

impl RuleCx<'_> {
    pub(super) fn binary(
        &mut self,
        op: BinOp,
        a: &ast::Expr,
        b: &ast::Expr,
        whole: &ast::Expr,
    ) -> Option<ir::Expr> {
        let span = whole.span.clone();
        let mk = |kind: Kind, ty: Ty| {
            Some(ir::Expr {
                kind,
                ty,
                span: span.clone(),
            })
        };
        match op.class() {
            Class::Logic { and } => {
                let left = self.boolean(a);
                let mut known = Vec::new();
                facts(a, and, &mut known);
                let depth = self.guarded.len();
                self.guarded.extend(known);
                let right = self.boolean(b);
                self.guarded.truncate(depth);
                let (l, r) = (Box::new(left?), Box::new(right?));
                mk(if and { Kind::And(l, r) } else { Kind::Or(l, r) }, Ty::Bool)
            }
            Class::Compare(cmp) => {
                let (l, r) =
                    self.operands(a, b, whole, |t| Some(t.clone()), |t| Some(t.clone()))?;
                if l.ty != r.ty {
                    return self.mismatch(op, &l, &r, whole);
                }
                let ordered = matches!(l.ty, Ty::Int | Ty::Date | Ty::Duration);
                // Lists compare too, mostly to test for `[]`.
                let equatable = ordered
                    || matches!(l.ty, Ty::Bool | Ty::Str | Ty::Enum(_))
                    || matches!(&l.ty, Ty::List(e) if matches!(**e, Ty::Bool | Ty::Int | Ty::Str | Ty::Date | Ty::Duration | Ty::Enum(_) | Ty::Record(_)));
                let fits = if cmp.ordered() { ordered } else { equatable };
                if !fits {
                    let shown = self.ty(&l.ty);
                    let help = match (cmp.ordered(), &l.ty) {
                        (false, Ty::Record(_)) => format!("records are not compared whole: compare a field that identifies them, such as `a.id {} b.id`", op.as_str()),
                        (false, _) => "`==` and `!=` compare scalars (strings, ints, dates, durations, enum values, booleans) and lists of them; lists are also tested with `has any`, `has all` or `in`".to_string(),
                        (true, _) => "`<`, `<=`, `>` and `>=` compare ints, dates and durations; lists are tested with `has any`, `has all` or `in`".to_string(),
                    };
                    self.errors.push(
                        Diag::new(
                            &whole.span,
                            format!("`{}` cannot compare `{shown}` values", op.as_str()),
                        )
                        .label(format!("both sides are `{shown}`"))
                        .help(help),
                    );
                    return None;
                }
                mk(Kind::Cmp(cmp, Box::new(l), Box::new(r)), Ty::Bool)
            }
            Class::Member { negated } => {
                let (l, r) = self.operands(
                    a,
                    b,
                    whole,
                    |elem| Some(Ty::List(Box::new(elem.clone()))),
                    |set| match set {
                        Ty::List(t) => Some((**t).clone()),
                        Ty::Map(k, _) => Some((**k).clone()),
                        _ => None,
                    },
                )?;
                if matches!(l.ty, Ty::List(_)) {
                    self.errors.push(
                        Diag::new(
                            &a.span,
                            format!(
                                "`{}` tests one value, and `{}` is a list",
                                op.as_str(),
                                a.span.text()
                            ),
                        )
                        .label("a list")
                        .help("to compare lists use `has all`, `has any` or `has none`"),
                    );
                    return None;
                }
                let fits = match &r.ty {
                    Ty::List(t) => **t == l.ty,
                    Ty::Map(k, _) => **k == l.ty,
                    _ => false,
                };
                if !fits {
                    return self.mismatch(op, &l, &r, whole);
                }
                mk(
                    Kind::In {
                        elem: Box::new(l),
                        set: Box::new(r),
                        negated,
                    },
                    Ty::Bool,
                )
            }
            Class::Lists(has) => {
                // Each side is typed as a list of the other's type, so that
                // `role has any [processor]` resolves `processor` and can
                // say that `role` is one value.
                let as_list = |t: &Ty| match t {
                    Ty::List(_) => Some(t.clone()),
                    other => Some(Ty::List(Box::new(other.clone()))),
                };
                let (l, r) = self.operands(a, b, whole, as_list, as_list)?;
                if !matches!(l.ty, Ty::List(_)) && r.ty == Ty::List(Box::new(l.ty.clone())) {
                    let shown = self.ty(&l.ty);
                    self.errors.push(
                        Diag::new(
                            &whole.span,
                            format!(
                                "`{}` compares two lists, and `{}` is one `{shown}`",
                                op.as_str(),
                                a.span.text()
                            ),
                        )
                        .label(format!("`{}` is a `{shown}`", a.span.text()))
                        .help(format!(
                            "test one value with `{in_}`: `{} {in_} {}`",
                            a.span.text(),
                            b.span.text(),
                            in_ = if has == crate::ops::Has::None {
                                "not in"
                            } else {
                                "in"
                            }
                        )),
                    );
                    return None;
                }
                if !matches!(l.ty, Ty::List(_)) || l.ty != r.ty {
                    return self.mismatch(op, &l, &r, whole);
                }
                mk(Kind::Has(has, Box::new(l), Box::new(r)), Ty::Bool)
            }
            Class::Text(text) => self.text(text, op, a, b, whole),
            Class::Arith(arith) => {
                // The guard belongs around the comparison that uses the
                // sum, which this expression does not know.
                let l = self.expr(a, None)?;
                let l = self.present(l, a, None)?;
                let expected = match (&l.ty, arith) {
                    (Ty::Date, crate::ops::Arith::Add) => Some(Ty::Duration),
                    _ => None,
                };
                let r = self.expr(b, expected.as_ref())?;
                let r = self.present(r, b, None)?;
                let ty = match (&l.ty, &r.ty, arith) {
                    (Ty::Date, Ty::Duration, _) => Ty::Date,
                    (Ty::Date, Ty::Date, crate::ops::Arith::Sub) => Ty::Duration,
                    (Ty::Duration, Ty::Duration, _) => Ty::Duration,
                    (Ty::Int, Ty::Int, _) => Ty::Int,
                    _ => return self.mismatch(op, &l, &r, whole),
                };
                mk(Kind::Arith(arith, Box::new(l), Box::new(r)), ty)
            }
        }
    }

    /// Checks both operands of a binary operator. An enum literal takes its
    /// type from the other side, whichever side it is on: `from_left` gives
    /// the right side's expected type from the left's, `from_right` the
    /// other way round.
    fn operands(
        &mut self,
        a: &ast::Expr,
        b: &ast::Expr,
        whole: &ast::Expr,
        from_left: impl Fn(&Ty) -> Option<Ty>,
        from_right: impl Fn(&Ty) -> Option<Ty>,
    ) -> Option<(ir::Expr, ir::Expr)> {
        if self.is_unbound(a) && !self.is_unbound(b) {
            let r = self.expr(b, None)?;
            let r = self.present(r, b, Some(whole))?;
            let expected = from_right(&r.ty);
            let l = self.expr(a, expected.as_ref())?;
            let l = self.present(l, a, Some(whole))?;
            Some((l, r))
        } else {
            let l = self.expr(a, None);
            let l = l.and_then(|l| self.present(l, a, Some(whole)));
            if l.is_none() && self.is_unbound(b) {
                // Without the left side's type the right side's enum values
                // cannot be resolved; one error is enough.
                return None;
            }
            let expected = l.as_ref().and_then(|l| from_left(&l.ty));
            let r = self.expr(b, expected.as_ref());
            let r = r.and_then(|r| self.present(r, b, Some(whole)));
            Some((l?, r?))
        }
    }

    /// `s matches "pattern"`, `s starts with t`, `s ends with t`,
    /// `s contains t`: two strings; a pattern is a string literal, compiled
    /// here so that its error points into the policy.
    fn text(
        &mut self,
        text: Text,
        op: BinOp,
        a: &ast::Expr,
        b: &ast::Expr,
        whole: &ast::Expr,
    ) -> Option<ir::Expr> {
        let span = whole.span.clone();
        let (l, r) = self.operands(a, b, whole, |t| Some(t.clone()), |t| Some(t.clone()))?;
        if l.ty != Ty::Str || r.ty != Ty::Str {
            if let (Ty::List(_), Text::Contains) = (&l.ty, text) {
                self.errors.push(
                    Diag::new(&whole.span, "`contains` tests a string for a part of it")
                        .label(format!("`{}` is a list", a.span.text()))
                        .help(format!(
                            "test a list's items with `in`: `{} in {}`",
                            b.span.text(),
                            a.span.text()
                        )),
                );
                return None;
            }
            return self.mismatch(op, &l, &r, whole);
        }
        let kind = if text == Text::Matches {
            let crate::value::Value::Str(source) = (match &r.kind {
                Kind::Lit(v) => v,
                _ => {
                    self.errors.push(
                        Diag::new(&b.span, "the pattern of `matches` must be a string written in the policy")
                            .label("not a string literal")
                            .help("write the regular expression as a string: `id matches \"^[a-z0-9-]+$\"`"),
                    );
                    return None;
                }
            }) else {
                return self.mismatch(op, &l, &r, whole);
            };
            match Pattern::new(source) {
                Ok(pattern) => Kind::Matches(Box::new(l), pattern),
                Err(err) => {
                    let detail = match &err {
                        regex::Error::Syntax(text) => text
                            .lines()
                            .rev()
                            .find(|line| line.starts_with("error:"))
                            .map(|line| line.trim_start_matches("error:").trim().to_string())
                            .unwrap_or_else(|| text.clone()),
                        regex::Error::CompiledTooBig(_) => {
                            "it compiles to more than 1 MiB".to_string()
                        }
                        other => other.to_string(),
                    };
                    self.errors.push(
                        Diag::new(&b.span, format!("this is not a regular expression: {detail}"))
                            .label("invalid pattern")
                            .help("patterns use Rust's regex syntax (https://docs.rs/regex); escape a literal `.`, `(` or `[` with `\\`"),
                    );
                    return None;
                }
            }
        } else {
            Kind::Text(text, Box::new(l), Box::new(r))
        };
        Some(ir::Expr {
            kind,
            ty: Ty::Bool,
            span,
        })
    }

    fn mismatch(
        &mut self,
        op: BinOp,
        l: &ir::Expr,
        r: &ir::Expr,
        whole: &ast::Expr,
    ) -> Option<ir::Expr> {
        let (lt, rt) = (self.ty(&l.ty), self.ty(&r.ty));
        // `storage == "partner_servers"`: an enum value written as a string.
        let quoted_enum = [(l, r), (r, l)].into_iter().find_map(|(e, s)| {
            let Ty::Enum(id) = e.ty.required() else {
                return None;
            };
            let text = quoted(s)?;
            let def = self.types.enum_def(*id)?;
            let value = if def.index(text).is_some() {
                text.to_string()
            } else {
                crate::suggest::did_you_mean(text, def.values.iter().map(String::as_str))?
                    .to_string()
            };
            Some(format!(
                "enum values are written bare, without quotes: `{value}`"
            ))
        });
        let date_vs_duration = matches!(
            (&l.ty, &r.ty),
            (Ty::Date, Ty::Duration) | (Ty::Duration, Ty::Date)
        );
        let help = match (quoted_enum, op.class()) {
            (Some(help), _) => help,
            (None, Class::Member { .. }) => format!("`in` needs a list of `{lt}` on its right"),
            (None, Class::Lists(_)) => {
                format!("`{}` compares two lists of the same type", op.as_str())
            }
            (None, Class::Arith(_)) => {
                "dates take durations (`d + 30d`), two dates subtract to a duration".to_string()
            }
            (None, Class::Compare(_)) if date_vs_duration => {
                "a date compares with a date; to test an age, subtract: `today - date <= 30d`"
                    .to_string()
            }
            (None, Class::Compare(_) | Class::Logic { .. }) => {
                "compare values of the same type".to_string()
            }
            (None, Class::Text(_)) => format!("`{}` tests a string against a string", op.as_str()),
        };
        self.errors.push(
            Diag::new(
                &whole.span,
                format!("`{}` does not apply to `{lt}` and `{rt}`", op.as_str()),
            )
            .label(format!("`{lt}` {} `{rt}`", op.as_str()))
            .help(help),
        );
        None
    }
}

/// The text of a string literal, or of the first string of a list literal.
fn quoted(e: &ir::Expr) -> Option<&str> {
    match &e.kind {
        Kind::Lit(crate::value::Value::Str(s)) => Some(s),
        Kind::List(items) => items.iter().find_map(quoted),
        _ => None,
    }
}
