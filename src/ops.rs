//! The binary operators of the policy language, in one place: each one's
//! symbol, how tightly it binds, the class of operands it takes (which the
//! checker types by) and what it computes (which evaluation runs). Every
//! table below matches every operator without a wildcard, so a new operator
//! does not compile until each of them says what it is.

use crate::ast::BinOp;
use crate::date::{Date, Days};
use crate::value::Value;
use std::cmp::Ordering;

/// How tightly an operator binds, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Or,
    And,
    /// Comparisons, membership, list and text tests.
    Test,
    /// `+` and `-`.
    Sum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Has {
    Any,
    All,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
}

/// Tests of one string against another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Against a regular expression, compiled when the policy is checked.
    Matches,
    StartsWith,
    EndsWith,
    Contains,
}

/// What an operator does, and so how its operands are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `and` (`true`) or `or` (`false`): conditions on both sides.
    Logic { and: bool },
    /// Two values of one type.
    Compare(Cmp),
    /// A value and a list (or a map's keys) of its type.
    Member { negated: bool },
    /// Two lists of one type.
    Lists(Has),
    /// Two strings.
    Text(Text),
    /// Dates, durations and ints.
    Arith(Arith),
}

impl BinOp {
    /// Every operator.
    pub const ALL: [BinOp; 19] = [
        BinOp::Or,
        BinOp::And,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::In,
        BinOp::NotIn,
        BinOp::HasAny,
        BinOp::HasAll,
        BinOp::HasNone,
        BinOp::Matches,
        BinOp::StartsWith,
        BinOp::EndsWith,
        BinOp::Contains,
        BinOp::Add,
        BinOp::Sub,
    ];

    /// The operator as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::HasAny => "has any",
            BinOp::HasAll => "has all",
            BinOp::HasNone => "has none",
            BinOp::Matches => "matches",
            BinOp::StartsWith => "starts with",
            BinOp::EndsWith => "ends with",
            BinOp::Contains => "contains",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }

    pub fn class(self) -> Class {
        match self {
            BinOp::Or => Class::Logic { and: false },
            BinOp::And => Class::Logic { and: true },
            BinOp::Eq => Class::Compare(Cmp::Eq),
            BinOp::Ne => Class::Compare(Cmp::Ne),
            BinOp::Lt => Class::Compare(Cmp::Lt),
            BinOp::Le => Class::Compare(Cmp::Le),
            BinOp::Gt => Class::Compare(Cmp::Gt),
            BinOp::Ge => Class::Compare(Cmp::Ge),
            BinOp::In => Class::Member { negated: false },
            BinOp::NotIn => Class::Member { negated: true },
            BinOp::HasAny => Class::Lists(Has::Any),
            BinOp::HasAll => Class::Lists(Has::All),
            BinOp::HasNone => Class::Lists(Has::None),
            BinOp::Matches => Class::Text(Text::Matches),
            BinOp::StartsWith => Class::Text(Text::StartsWith),
            BinOp::EndsWith => Class::Text(Text::EndsWith),
            BinOp::Contains => Class::Text(Text::Contains),
            BinOp::Add => Class::Arith(Arith::Add),
            BinOp::Sub => Class::Arith(Arith::Sub),
        }
    }

    pub fn level(self) -> Level {
        match self.class() {
            Class::Logic { and: false } => Level::Or,
            Class::Logic { and: true } => Level::And,
            Class::Compare(_) | Class::Member { .. } | Class::Lists(_) | Class::Text(_) => {
                Level::Test
            }
            Class::Arith(_) => Level::Sum,
        }
    }
}

impl Cmp {
    /// The comparison said from the other side: `a < b` is `b > a`.
    pub fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Eq => Cmp::Eq,
            Cmp::Ne => Cmp::Ne,
        }
    }

    /// Whether the comparison needs ordered operands.
    pub fn ordered(self) -> bool {
        match self {
            Cmp::Eq | Cmp::Ne => false,
            Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge => true,
        }
    }

    /// Whether `a op b` holds.
    pub fn holds(self, a: &Value, b: &Value) -> bool {
        let ord = order(a, b);
        match self {
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Lt => ord == Some(Ordering::Less),
            Cmp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            Cmp::Gt => ord == Some(Ordering::Greater),
            Cmp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        }
    }
}

/// The order of two ints, dates or durations.
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

impl Has {
    /// Whether `xs has ... ys` holds.
    pub fn holds(self, xs: &[Value], ys: &[Value]) -> bool {
        match self {
            Has::Any => ys.iter().any(|y| xs.contains(y)),
            Has::All => ys.iter().all(|y| xs.contains(y)),
            Has::None => !ys.iter().any(|y| xs.contains(y)),
        }
    }
}

impl Text {
    /// Whether `s op t` holds, for the tests that need no compiled
    /// pattern; `None` for `matches`.
    pub fn holds(self, s: &str, t: &str) -> Option<bool> {
        match self {
            Text::Matches => None,
            Text::StartsWith => Some(s.starts_with(t)),
            Text::EndsWith => Some(s.ends_with(t)),
            Text::Contains => Some(s.contains(t)),
        }
    }
}

/// What `a op b` gives, when the checker's types reach evaluation.
pub enum Computed {
    Value(Value),
    /// The result does not fit.
    OutOfRange,
    /// The operands are not of types the operator takes.
    Undefined,
}

impl Arith {
    /// The operand types it takes, and the type of the result: a date and
    /// a duration give a date, two dates a duration (`-` only), two
    /// durations a duration, two ints an int.
    pub fn apply(self, a: &Value, b: &Value) -> Computed {
        let add = self == Arith::Add;
        let days = |d: Option<i64>| d.map(|n| Value::Duration(Days::new(n)));
        let v = match (a, b) {
            (Value::Date(d), Value::Duration(n)) => if add {
                d.0.checked_add(n.days)
            } else {
                d.0.checked_sub(n.days)
            }
            .map(|x| Value::Date(Date(x))),
            (Value::Date(d), Value::Date(e)) if !add => days(d.0.checked_sub(e.0)),
            (Value::Duration(x), Value::Duration(y)) => days(if add {
                x.days.checked_add(y.days)
            } else {
                x.days.checked_sub(y.days)
            }),
            (Value::Int(x), Value::Int(y)) => if add {
                x.checked_add(*y)
            } else {
                x.checked_sub(*y)
            }
            .map(Value::Int),
            _ => return Computed::Undefined,
        };
        match v {
            Some(v) => Computed::Value(v),
            None => Computed::OutOfRange,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_has_one_symbol_and_a_level() {
        let mut symbols: Vec<&str> = BinOp::ALL.iter().map(|o| o.as_str()).collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), BinOp::ALL.len());
        assert!(BinOp::Or.level() < BinOp::And.level());
        assert!(BinOp::And.level() < BinOp::Contains.level());
        assert!(BinOp::Matches.level() < BinOp::Add.level());
    }

    #[test]
    fn comparisons_and_arithmetic_compute() {
        let (one, two) = (Value::Int(1), Value::Int(2));
        assert!(Cmp::Lt.holds(&one, &two));
        assert!(Cmp::Gt.flipped().holds(&one, &two));
        assert!(!Cmp::Ge.holds(&one, &two));
        assert!(matches!(
            Arith::Sub.apply(&Value::Int(i64::MIN), &one),
            Computed::OutOfRange
        ));
        assert!(matches!(
            Arith::Add.apply(&Value::Date(Date(0)), &Value::Date(Date(0))),
            Computed::Undefined
        ));
        assert_eq!(
            Text::EndsWith.holds("partner.example", ".example"),
            Some(true)
        );
        assert!(Has::All.holds(&[one.clone(), two.clone()], &[two]));
    }
}
