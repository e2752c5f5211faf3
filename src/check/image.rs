//! A checked program as bytes. The build parses and checks the shipped
//! policies once (build.rs) and stores the result in the binary as an
//! image; a run reads the image back instead of parsing and checking the
//! same text again, which would take most of a one-manifest run.
//!
//! The image holds everything [`Program`] holds. A span is stored as the
//! index of its source among the sources given to [`encode`], and its byte
//! range: [`decode`] is given the same sources, so every span points into
//! the real policy text again, for snippets and SARIF locations alike.
//!
//! Numbers are LEB128 varints (signed ones zigzagged), lists are prefixed
//! with their length, and every enum with a one-byte tag. Strings are kept
//! together in a table ahead of the rest, which is checked to be UTF-8
//! once, and are written as their byte range in it.
//! Encoder and decoder sit side by side below, in the same order; the
//! encoder destructures every struct and matches every variant without a
//! wildcard, so a new field or variant does not compile until both sides
//! know it.

use super::ir::{Agg, Arith, Cmp, Each, Expr, Has, Kind, Part, Pattern, Requirement, Rule, Text};
use super::Program;
use crate::ast::{Quantifier, Severity};
use crate::date::{Date, Days};
use crate::schema::{ConstDef, EnumDef, FieldDef, FieldRules, RecordDef, SchemaDef, Ty, Types};
use crate::source::{Source, Span};
use crate::value::Value;
use std::sync::Arc;

/// The first bytes of an image, with the format's version.
const MAGIC: &[u8] = b"proviso-program-3\n";

/// The program as bytes. Fails if a span points into a source that is not
/// among `sources`.
pub fn encode(program: &Program, sources: &[Arc<Source>]) -> Result<Vec<u8>, String> {
    encode_with(program, sources, true)
}

/// What the program means, as bytes: its image without the place of any
/// span in its text (a span is its source's index alone). Two programs
/// made from texts laid out differently have the same meaning when these
/// bytes are equal; `proviso fmt` checks so before it writes a file.
pub fn meaning(program: &Program, sources: &[Arc<Source>]) -> Result<Vec<u8>, String> {
    encode_with(program, sources, false)
}

fn encode_with(
    program: &Program,
    sources: &[Arc<Source>],
    positions: bool,
) -> Result<Vec<u8>, String> {
    let mut w = Writer {
        out: Vec::new(),
        strings: String::new(),
        sources,
        positions,
    };
    w.uint(sources.len());
    for src in sources {
        w.str(&src.name);
        if positions {
            w.uint(src.text.len());
        }
    }
    // What rules across manifests read is worked out again from the rules.
    let Program {
        types,
        rules,
        needs: _,
    } = program;
    w.types(types)?;
    w.list(rules, Writer::rule)?;
    let body = std::mem::replace(&mut w.out, MAGIC.to_vec());
    w.uint(w.strings.len());
    let Writer {
        mut out, strings, ..
    } = w;
    out.extend_from_slice(strings.as_bytes());
    out.extend(body);
    Ok(out)
}

/// The program an image holds, its spans pointing into `sources`: `None`
/// when the image was made from other sources, or is not an image.
pub fn decode(bytes: &[u8], sources: &[Arc<Source>]) -> Option<Program> {
    let mut r = Reader {
        bytes: bytes.strip_prefix(MAGIC)?,
        strings: "",
        sources,
    };
    let len = r.uint()?;
    r.strings = std::str::from_utf8(r.bytes.get(..len)?).ok()?;
    r.bytes = r.bytes.get(len..)?;
    if r.uint()? != sources.len() {
        return None;
    }
    for src in sources {
        if r.str()? != src.name || r.uint()? != src.text.len() {
            return None;
        }
    }
    let types = r.types()?;
    let rules = r.list(Reader::rule)?;
    r.bytes.is_empty().then(|| Program::new(types, rules))
}

struct Writer<'a> {
    out: Vec<u8>,
    /// The string table.
    strings: String,
    sources: &'a [Arc<Source>],
    /// Whether spans are written with their byte ranges.
    positions: bool,
}

struct Reader<'a> {
    bytes: &'a [u8],
    strings: &'a str,
    sources: &'a [Arc<Source>],
}

type Written = Result<(), String>;

/// Scalars.
impl Writer<'_> {
    fn u64(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    fn uint(&mut self, n: usize) {
        self.u64(n as u64);
    }

    fn int(&mut self, n: i64) {
        self.u64(((n << 1) ^ (n >> 63)) as u64);
    }

    fn tag(&mut self, tag: u8) {
        self.out.push(tag);
    }

    fn bool(&mut self, b: bool) {
        self.tag(u8::from(b));
    }

    /// A string, as its range in the table.
    fn str(&mut self, s: &str) {
        self.uint(self.strings.len());
        self.uint(s.len());
        self.strings.push_str(s);
    }

    fn span(&mut self, span: &Span) -> Written {
        let index = self
            .sources
            .iter()
            .position(|s| Arc::ptr_eq(s, &span.src))
            .ok_or_else(|| {
                format!(
                    "a span points into `{}`, which is not encoded",
                    span.src.name
                )
            })?;
        self.uint(index);
        if self.positions {
            self.uint(span.start);
            self.uint(span.end);
        }
        Ok(())
    }

    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T) -> Written) -> Written {
        self.uint(items.len());
        items.iter().try_for_each(|item| each(self, item))
    }

    fn option<T>(
        &mut self,
        item: Option<&T>,
        each: impl FnOnce(&mut Self, &T) -> Written,
    ) -> Written {
        match item {
            None => {
                self.tag(0);
                Ok(())
            }
            Some(item) => {
                self.tag(1);
                each(self, item)
            }
        }
    }
}

impl<'a> Reader<'a> {
    fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first()?;
            self.bytes = rest;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn uint(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    fn int(&mut self) -> Option<i64> {
        let n = self.u64()?;
        Some(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn tag(&mut self) -> Option<u8> {
        let (&tag, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(tag)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.tag()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn str(&mut self) -> Option<&'a str> {
        let start = self.uint()?;
        let end = start.checked_add(self.uint()?)?;
        self.strings.get(start..end)
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    fn span(&mut self) -> Option<Span> {
        let src = self.sources.get(self.uint()?)?;
        let (start, end) = (self.uint()?, self.uint()?);
        (start <= end && end <= src.text.len()).then(|| Span::new(src, start..end))
    }

    fn list<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let len = self.uint()?;
        // The length is not trusted for the allocation: an item takes at
        // least a byte.
        let mut items = Vec::with_capacity(len.min(self.bytes.len()));
        for _ in 0..len {
            items.push(each(self)?);
        }
        Some(items)
    }

    fn option<T>(&mut self, each: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.tag()? {
            0 => Some(None),
            1 => each(self).map(Some),
            _ => None,
        }
    }

    fn boxed<T>(&mut self, each: impl FnOnce(&mut Self) -> Option<T>) -> Option<Box<T>> {
        each(self).map(Box::new)
    }
}

/// Types, values and the schema model.
impl Writer<'_> {
    fn types(&mut self, types: &Types) -> Written {
        let Types {
            records,
            enums,
            schemas,
            consts,
        } = types;
        self.list(records, Writer::record)?;
        self.list(enums, Writer::enum_def)?;
        self.list(schemas, Writer::schema)?;
        self.list(consts, Writer::const_def)
    }

    fn record(&mut self, record: &RecordDef) -> Written {
        let RecordDef {
            name,
            fields,
            doc,
            span,
        } = record;
        self.str(name);
        self.list(fields, Writer::field)?;
        self.str(doc);
        self.span(span)
    }

    fn field(&mut self, field: &FieldDef) -> Written {
        let FieldDef {
            name,
            ty,
            doc,
            span,
            rules,
        } = field;
        self.str(name);
        self.ty(ty);
        self.str(doc);
        self.span(span)?;
        let FieldRules {
            unique,
            not_blank,
            min,
            max,
        } = rules;
        self.bool(*unique);
        self.bool(*not_blank);
        self.option(min.as_ref(), |w, n| {
            w.int(*n);
            Ok(())
        })?;
        self.option(max.as_ref(), |w, n| {
            w.int(*n);
            Ok(())
        })
    }

    fn enum_def(&mut self, def: &EnumDef) -> Written {
        let EnumDef {
            name,
            values,
            item_docs,
            doc,
            span,
        } = def;
        self.str(name);
        self.list(values, |w, v| {
            w.str(v);
            Ok(())
        })?;
        self.list(item_docs, |w, (item, doc)| {
            w.str(item);
            w.str(doc);
            Ok(())
        })?;
        self.str(doc);
        self.span(span)
    }

    fn schema(&mut self, schema: &SchemaDef) -> Written {
        let SchemaDef { id, root, span } = schema;
        self.str(id);
        self.uint(*root);
        self.span(span)
    }

    fn const_def(&mut self, def: &ConstDef) -> Written {
        let ConstDef {
            name,
            ty,
            value,
            span,
        } = def;
        self.str(name);
        self.ty(ty);
        self.value(value);
        self.span(span)
    }

    fn ty(&mut self, ty: &Ty) {
        match ty {
            Ty::Bool => self.tag(0),
            Ty::Int => self.tag(1),
            Ty::Str => self.tag(2),
            Ty::Date => self.tag(3),
            Ty::Duration => self.tag(4),
            Ty::Enum(id) => {
                self.tag(5);
                self.uint(*id);
            }
            Ty::List(inner) => {
                self.tag(6);
                self.ty(inner);
            }
            Ty::Map(k, v) => {
                self.tag(7);
                self.ty(k);
                self.ty(v);
            }
            Ty::Record(id) => {
                self.tag(8);
                self.uint(*id);
            }
            Ty::Optional(inner) => {
                self.tag(9);
                self.ty(inner);
            }
        }
    }

    fn value(&mut self, value: &Value) {
        match value {
            Value::Bool(b) => {
                self.tag(0);
                self.bool(*b);
            }
            Value::Int(n) => {
                self.tag(1);
                self.int(*n);
            }
            Value::Str(s) => {
                self.tag(2);
                self.str(s);
            }
            Value::Date(Date(d)) => {
                self.tag(3);
                self.int(*d);
            }
            Value::Duration(Days { days, weeks }) => {
                self.tag(4);
                self.int(*days);
                self.bool(*weeks);
            }
            Value::Enum(e) => {
                self.tag(5);
                self.u64(u64::from(*e));
            }
            Value::List(items) => {
                self.tag(6);
                self.uint(items.len());
                items.iter().for_each(|v| self.value(v));
            }
            Value::Record(fields) => {
                self.tag(7);
                self.uint(fields.len());
                for field in fields {
                    match field {
                        None => self.tag(0),
                        Some(v) => {
                            self.tag(1);
                            self.value(v);
                        }
                    }
                }
            }
            Value::Map(entries) => {
                self.tag(8);
                self.uint(entries.len());
                for (k, v) in entries {
                    self.value(k);
                    self.value(v);
                }
            }
            Value::Invalid => self.tag(9),
        }
    }
}

impl Reader<'_> {
    fn types(&mut self) -> Option<Types> {
        Some(Types {
            records: self.list(Reader::record)?,
            enums: self.list(Reader::enum_def)?,
            schemas: self.list(Reader::schema)?,
            consts: self.list(Reader::const_def)?,
        })
    }

    fn record(&mut self) -> Option<RecordDef> {
        Some(RecordDef {
            name: self.string()?,
            fields: self.list(Reader::field)?,
            doc: self.string()?,
            span: self.span()?,
        })
    }

    fn field(&mut self) -> Option<FieldDef> {
        Some(FieldDef {
            name: self.string()?,
            ty: self.ty()?,
            doc: self.string()?,
            span: self.span()?,
            rules: FieldRules {
                unique: self.bool()?,
                not_blank: self.bool()?,
                min: self.option(Reader::int)?,
                max: self.option(Reader::int)?,
            },
        })
    }

    fn enum_def(&mut self) -> Option<EnumDef> {
        Some(EnumDef {
            name: self.string()?,
            values: self.list(Reader::string)?,
            item_docs: self.list(|r| Some((r.string()?, r.string()?)))?,
            doc: self.string()?,
            span: self.span()?,
        })
    }

    fn schema(&mut self) -> Option<SchemaDef> {
        Some(SchemaDef {
            id: self.string()?,
            root: self.uint()?,
            span: self.span()?,
        })
    }

    fn const_def(&mut self) -> Option<ConstDef> {
        Some(ConstDef {
            name: self.string()?,
            ty: self.ty()?,
            value: self.value()?,
            span: self.span()?,
        })
    }

    fn ty(&mut self) -> Option<Ty> {
        Some(match self.tag()? {
            0 => Ty::Bool,
            1 => Ty::Int,
            2 => Ty::Str,
            3 => Ty::Date,
            4 => Ty::Duration,
            5 => Ty::Enum(self.uint()?),
            6 => Ty::List(self.boxed(Reader::ty)?),
            7 => Ty::Map(self.boxed(Reader::ty)?, self.boxed(Reader::ty)?),
            8 => Ty::Record(self.uint()?),
            9 => Ty::Optional(self.boxed(Reader::ty)?),
            _ => return None,
        })
    }

    fn value(&mut self) -> Option<Value> {
        Some(match self.tag()? {
            0 => Value::Bool(self.bool()?),
            1 => Value::Int(self.int()?),
            2 => Value::Str(self.string()?),
            3 => Value::Date(Date(self.int()?)),
            4 => Value::Duration(Days {
                days: self.int()?,
                weeks: self.bool()?,
            }),
            5 => Value::Enum(u32::try_from(self.u64()?).ok()?),
            6 => Value::List(self.list(Reader::value)?),
            7 => Value::Record(self.list(|r| r.option(Reader::value))?),
            8 => Value::Map(self.list(|r| Some((r.value()?, r.value()?)))?),
            9 => Value::Invalid,
            _ => return None,
        })
    }
}

/// Rules and their expressions.
impl Writer<'_> {
    fn rule(&mut self, rule: &Rule) -> Written {
        let Rule {
            id,
            title,
            severity,
            doc,
            policy,
            schema,
            requirements,
            across,
            slots,
            span,
            id_span,
        } = rule;
        self.str(id);
        self.str(title);
        self.tag(match severity {
            Severity::Note => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        });
        self.str(doc);
        self.str(policy);
        self.uint(*schema);
        self.list(requirements, Writer::requirement)?;
        self.bool(*across);
        self.uint(*slots);
        self.span(span)?;
        self.span(id_span)
    }

    fn requirement(&mut self, req: &Requirement) -> Written {
        let Requirement {
            each,
            filter,
            require,
            at,
            message,
            help,
            span,
        } = req;
        self.list(each, Writer::each)?;
        self.option(filter.as_ref(), Writer::expr)?;
        self.expr(require)?;
        self.option(at.as_ref(), Writer::expr)?;
        self.list(message, Writer::part)?;
        self.option(help.as_ref(), |w, parts| w.list(parts, Writer::part))?;
        self.span(span)
    }

    fn each(&mut self, each: &Each) -> Written {
        let Each {
            slot,
            name,
            collection,
            filter,
        } = each;
        self.uint(*slot);
        self.str(name);
        self.expr(collection)?;
        self.option(filter.as_ref(), Writer::expr)
    }

    fn part(&mut self, part: &Part) -> Written {
        match part {
            Part::Text(text) => {
                self.tag(0);
                self.str(text);
                Ok(())
            }
            Part::Hole(expr) => {
                self.tag(1);
                self.expr(expr)
            }
        }
    }

    fn expr(&mut self, expr: &Expr) -> Written {
        let Expr { kind, ty, span } = expr;
        self.kind(kind)?;
        self.ty(ty);
        self.span(span)
    }

    fn pair(&mut self, a: &Expr, b: &Expr) -> Written {
        self.expr(a)?;
        self.expr(b)
    }

    fn kind(&mut self, kind: &Kind) -> Written {
        match kind {
            Kind::Root => self.tag(0),
            Kind::Var(slot) => {
                self.tag(1);
                self.uint(*slot);
            }
            Kind::Field { base, index, name } => {
                self.tag(2);
                self.expr(base)?;
                self.uint(*index);
                self.str(name);
            }
            Kind::Lit(value) => {
                self.tag(3);
                self.value(value);
            }
            Kind::Today => self.tag(4),
            Kind::List(items) => {
                self.tag(5);
                self.list(items, Writer::expr)?;
            }
            Kind::Not(inner) => {
                self.tag(6);
                self.expr(inner)?;
            }
            Kind::And(a, b) => {
                self.tag(7);
                self.pair(a, b)?;
            }
            Kind::Or(a, b) => {
                self.tag(8);
                self.pair(a, b)?;
            }
            Kind::Cmp(op, a, b) => {
                self.tag(9);
                self.tag(match op {
                    Cmp::Eq => 0,
                    Cmp::Ne => 1,
                    Cmp::Lt => 2,
                    Cmp::Le => 3,
                    Cmp::Gt => 4,
                    Cmp::Ge => 5,
                });
                self.pair(a, b)?;
            }
            Kind::In { elem, set, negated } => {
                self.tag(10);
                self.pair(elem, set)?;
                self.bool(*negated);
            }
            Kind::Has(op, a, b) => {
                self.tag(11);
                self.tag(match op {
                    Has::Any => 0,
                    Has::All => 1,
                    Has::None => 2,
                });
                self.pair(a, b)?;
            }
            Kind::Arith(op, a, b) => {
                self.tag(12);
                self.tag(match op {
                    Arith::Add => 0,
                    Arith::Sub => 1,
                });
                self.pair(a, b)?;
            }
            Kind::IsSet { expr, negated } => {
                self.tag(13);
                self.expr(expr)?;
                self.bool(*negated);
            }
            Kind::Quant {
                quantifier,
                slot,
                collection,
                body,
            } => {
                self.tag(14);
                self.tag(match quantifier {
                    Quantifier::Any => 0,
                    Quantifier::All => 1,
                    Quantifier::No => 2,
                });
                self.uint(*slot);
                self.pair(collection, body)?;
            }
            Kind::Manifests => self.tag(15),
            Kind::Text(op, a, b) => {
                self.tag(16);
                self.tag(match op {
                    Text::Matches => 0,
                    Text::StartsWith => 1,
                    Text::EndsWith => 2,
                    Text::Contains => 3,
                });
                self.pair(a, b)?;
            }
            Kind::Matches(text, pattern) => {
                self.tag(17);
                self.expr(text)?;
                self.str(&pattern.source);
            }
            Kind::Agg {
                agg,
                slot,
                collection,
                body,
            } => {
                self.tag(18);
                self.tag(match agg {
                    Agg::Count => 0,
                    Agg::Sum => 1,
                    Agg::Unique => 2,
                    Agg::Length => 3,
                });
                self.option(slot.as_ref(), |w, slot| {
                    w.uint(*slot);
                    Ok(())
                })?;
                self.expr(collection)?;
                self.option(body.as_deref(), Writer::expr)?;
            }
        }
        Ok(())
    }
}

impl Reader<'_> {
    fn rule(&mut self) -> Option<Rule> {
        Some(Rule {
            id: self.string()?,
            title: self.string()?,
            severity: match self.tag()? {
                0 => Severity::Note,
                1 => Severity::Warning,
                2 => Severity::Error,
                _ => return None,
            },
            doc: self.string()?,
            policy: self.string()?,
            schema: self.uint()?,
            requirements: self.list(Reader::requirement)?,
            across: self.bool()?,
            slots: self.uint()?,
            span: self.span()?,
            id_span: self.span()?,
        })
    }

    fn requirement(&mut self) -> Option<Requirement> {
        Some(Requirement {
            each: self.list(Reader::each)?,
            filter: self.option(Reader::expr)?,
            require: self.expr()?,
            at: self.option(Reader::expr)?,
            message: self.list(Reader::part)?,
            help: self.option(|r| r.list(Reader::part))?,
            span: self.span()?,
        })
    }

    fn each(&mut self) -> Option<Each> {
        Some(Each {
            slot: self.uint()?,
            name: self.string()?,
            collection: self.expr()?,
            filter: self.option(Reader::expr)?,
        })
    }

    fn part(&mut self) -> Option<Part> {
        Some(match self.tag()? {
            0 => Part::Text(self.string()?),
            1 => Part::Hole(self.expr()?),
            _ => return None,
        })
    }

    fn expr(&mut self) -> Option<Expr> {
        Some(Expr {
            kind: self.kind()?,
            ty: self.ty()?,
            span: self.span()?,
        })
    }

    fn boxed_expr(&mut self) -> Option<Box<Expr>> {
        self.boxed(Reader::expr)
    }

    fn kind(&mut self) -> Option<Kind> {
        Some(match self.tag()? {
            0 => Kind::Root,
            1 => Kind::Var(self.uint()?),
            2 => Kind::Field {
                base: self.boxed_expr()?,
                index: self.uint()?,
                name: self.string()?,
            },
            3 => Kind::Lit(self.value()?),
            4 => Kind::Today,
            5 => Kind::List(self.list(Reader::expr)?),
            6 => Kind::Not(self.boxed_expr()?),
            7 => Kind::And(self.boxed_expr()?, self.boxed_expr()?),
            8 => Kind::Or(self.boxed_expr()?, self.boxed_expr()?),
            9 => {
                let op = match self.tag()? {
                    0 => Cmp::Eq,
                    1 => Cmp::Ne,
                    2 => Cmp::Lt,
                    3 => Cmp::Le,
                    4 => Cmp::Gt,
                    5 => Cmp::Ge,
                    _ => return None,
                };
                Kind::Cmp(op, self.boxed_expr()?, self.boxed_expr()?)
            }
            10 => Kind::In {
                elem: self.boxed_expr()?,
                set: self.boxed_expr()?,
                negated: self.bool()?,
            },
            11 => {
                let op = match self.tag()? {
                    0 => Has::Any,
                    1 => Has::All,
                    2 => Has::None,
                    _ => return None,
                };
                Kind::Has(op, self.boxed_expr()?, self.boxed_expr()?)
            }
            12 => {
                let op = match self.tag()? {
                    0 => Arith::Add,
                    1 => Arith::Sub,
                    _ => return None,
                };
                Kind::Arith(op, self.boxed_expr()?, self.boxed_expr()?)
            }
            13 => Kind::IsSet {
                expr: self.boxed_expr()?,
                negated: self.bool()?,
            },
            14 => Kind::Quant {
                quantifier: match self.tag()? {
                    0 => Quantifier::Any,
                    1 => Quantifier::All,
                    2 => Quantifier::No,
                    _ => return None,
                },
                slot: self.uint()?,
                collection: self.boxed_expr()?,
                body: self.boxed_expr()?,
            },
            15 => Kind::Manifests,
            16 => {
                let op = match self.tag()? {
                    0 => Text::Matches,
                    1 => Text::StartsWith,
                    2 => Text::EndsWith,
                    3 => Text::Contains,
                    _ => return None,
                };
                Kind::Text(op, self.boxed_expr()?, self.boxed_expr()?)
            }
            17 => Kind::Matches(self.boxed_expr()?, Pattern::new(self.str()?).ok()?),
            18 => Kind::Agg {
                agg: match self.tag()? {
                    0 => Agg::Count,
                    1 => Agg::Sum,
                    2 => Agg::Unique,
                    3 => Agg::Length,
                    _ => return None,
                },
                slot: self.option(Reader::uint)?,
                collection: self.boxed_expr()?,
                body: self.option(Reader::boxed_expr)?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::compile;

    /// A schema and rules that use every kind of type, value and
    /// expression the image stores.
    const SCHEMA: &str = r#"
/// A test schema.
schema t/v1 {
  /// The name.
  name: string not blank
  count: int >= 0 <= 1000
  due: date?
  keep: duration?
  on: bool
  tags: [Tag]
  notes: map<Op, string>
  items: [Item]
}

record Item {
  id: string unique
  kind: Kind?
}

enum Tag { a, b { c, d } }
enum Op { read, write }
enum Kind { x, y }
"#;

    const RULES: &str = r#"
policy p for t/v1

const DAYS: [date] = [2019-01-01, 2020-02-29]
const LONG: [duration] = [30d, 2w]
const NAMES: [string] = ["a\"b", "Zoë"]
const LIMITS: [int] = [0, 5, 1_000_000]

/// Doc line one.
/// Doc line two.
rule p/one {
  title "every \"item\" is fine"
  severity warning
  each item in items
    where item.kind is set and item.kind in [x]
  each tag in tags
  require not (count > 3 or count < 0)
      and (due is not set or due + 30d >= today and due - 2w < 2019-01-01)
      and tags has all [a] and tags has none b.*
      and keep is set and keep in LONG
      and name not in NAMES and count in LIMITS and read in notes
      and (all i in items: any j in items: no k in items: i.id == j.id and k.id != "")
      and on == true and on != false
  at count
  message "{name} has {count} for {item.id}"
  help "fix {name}"
}

rule p/two {
  title "t"
  severity note
  require due is set and due in DAYS
  message "m"
}
"#;

    fn program() -> (Program, Vec<Arc<Source>>) {
        let sources = vec![
            Source::new("s.proviso", SCHEMA),
            Source::new("r.proviso", RULES),
        ];
        let program = compile(&sources).unwrap_or_else(|e| panic!("{e:#?}"));
        (program, sources)
    }

    #[test]
    fn a_program_reads_back_as_it_was_written() {
        let (program, sources) = program();
        let image = encode(&program, &sources).unwrap();
        let read = decode(&image, &sources).unwrap();
        assert_eq!(format!("{read:#?}"), format!("{program:#?}"));
        // Spans point into the sources given, at the same text.
        let (a, b) = (&read.rules[0], &program.rules[0]);
        assert!(Arc::ptr_eq(&a.span.src, &sources[1]));
        assert_eq!(a.span.text(), b.span.text());
        assert_eq!(a.id_span.text(), "p/one");
        assert_eq!(encode(&read, &sources).unwrap(), image);
    }

    #[test]
    fn numbers_keep_their_value_at_the_edges() {
        let mut w = Writer {
            out: Vec::new(),
            strings: String::new(),
            sources: &[],
            positions: true,
        };
        let ints = [i64::MIN, -65, -64, -1, 0, 1, 63, 64, i64::MAX];
        ints.iter().for_each(|n| w.int(*n));
        w.u64(u64::MAX);
        let mut r = Reader {
            bytes: &w.out,
            strings: "",
            sources: &[],
        };
        for n in ints {
            assert_eq!(r.int(), Some(n));
        }
        assert_eq!(r.u64(), Some(u64::MAX));
        assert!(r.bytes.is_empty());
        // Eleven bytes with the high bit set are not a number.
        let mut r = Reader {
            bytes: &[0xff; 11],
            strings: "",
            sources: &[],
        };
        assert_eq!(r.u64(), None);
    }

    #[test]
    fn an_image_of_other_sources_is_refused() {
        let (program, sources) = program();
        let image = encode(&program, &sources).unwrap();
        let edited = vec![
            Source::new("s.proviso", format!("{SCHEMA} ")),
            Arc::clone(&sources[1]),
        ];
        assert!(decode(&image, &edited).is_none());
        let renamed = vec![Source::new("t.proviso", SCHEMA), Arc::clone(&sources[1])];
        assert!(decode(&image, &renamed).is_none());
        assert!(decode(&image, &sources[..1]).is_none());
        // A span into a source that is not given cannot be written.
        assert!(encode(&program, &sources[..1]).is_err());
    }

    #[test]
    fn a_damaged_image_is_refused_not_a_panic() {
        let (program, sources) = program();
        let image = encode(&program, &sources).unwrap();
        for len in 0..image.len() {
            assert!(decode(&image[..len], &sources).is_none(), "cut at {len}");
        }
        let mut longer = image.clone();
        longer.push(0);
        assert!(decode(&longer, &sources).is_none());
        for at in (MAGIC.len()..image.len()).step_by(7) {
            let mut flipped = image.clone();
            flipped[at] ^= 0xa5;
            let _ = decode(&flipped, &sources);
        }
    }
}
