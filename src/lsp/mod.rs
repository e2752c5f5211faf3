//! `proviso lsp`: a language server on stdio, for manifests and policies.
//!
//! Open manifests (`*.yaml`, `*.yml` with a `schema:`) get their schema
//! errors and rule findings as diagnostics, each with the rule's id as its
//! code, its help, and the rule's declaration as related information. Open
//! policies (`*.proviso`) get their syntax and type errors, all at once,
//! checked together with the project's other policy files, and a change to
//! one re-checks every open manifest. The policies are those of the
//! project configuration of the workspace, else the shipped catalogue.
//!
//! In a manifest, completion offers the keys a record may still take and
//! the values of an enum field; hover on a key describes its field;
//! go-to-definition leads to the field's or the finding's rule's
//! declaration; quick fixes apply a "did you mean" or add a waiver of a
//! finding. In a policy, completion offers fields after a path, enum
//! values beside a comparison and clauses; hover on a path gives its type
//! and doc, and
//! go-to-definition its field's declaration; it is formatted as `proviso
//! fmt` does. Every request is
//! answered, whatever the document holds.
//!
//! Positions are counted in the encoding negotiated with the client:
//! UTF-8 when it offers it, else UTF-16 (the protocol's default).

mod complete;
mod manifest;
mod policy;
mod policy_complete;
mod position;

use crate::check::Program;
use crate::cli::policies::{compile, resolve};
use crate::config::{Config, PolicyPath};
use crate::date::Date;
use crate::diagnostics::{Diag, Finding};
use crate::report::escape::visible;
use crate::run::{check_text, Options};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, InitializeParams, Location,
    NumberOrString, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
pub use position::Encoding;
use position::Lines;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `shutdown`, then `exit` (or the client closed the stream).
    ShutDown,
    /// `exit` without `shutdown` first: the protocol asks the server to
    /// exit with code 1.
    Exited,
}

/// Serves one client over `connection` until it asks to exit.
pub fn serve(connection: &Connection) -> Result<Ended, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = Encoding::negotiate(&params);
    let capabilities = ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp_types::OneOf::Left(true)),
        document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), ".".into(), "[".into()]),
            ..lsp_types::CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "proviso", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let root = root_of(&params);
    let mut server = Server::new(connection, encoding, root);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(Ended::ShutDown);
                }
                server.request(request);
            }
            Message::Notification(note) if note.method == "exit" => return Ok(Ended::Exited),
            Message::Notification(note) => server.notification(note),
            Message::Response(_) => {}
        }
    }
    Ok(Ended::ShutDown)
}

/// The workspace's folder: the first workspace folder, else the root URI.
#[allow(deprecated)]
fn root_of(params: &InitializeParams) -> Option<PathBuf> {
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or_else(|| params.root_uri.clone())?;
    path_of(&uri)
}

/// The local path of a `file:` URI.
fn path_of(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    let decoded = percent_decode(rest)?;
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A `file:` URI for a local path, for related information.
fn uri_of(path: &std::path::Path) -> Option<Uri> {
    let mut text = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                text.push(char::from(b))
            }
            other => text.push_str(&format!("%{other:02X}")),
        }
    }
    Uri::from_str(&text).ok()
}

/// An open document: its text as the editor has it, and its line table.
struct Doc {
    uri: Uri,
    text: String,
    lines: Lines,
}

impl Doc {
    fn new(uri: Uri, text: String) -> Doc {
        let lines = Lines::new(&text);
        Doc { uri, text, lines }
    }

    /// How many bytes the editor's text has before a checked source's
    /// text, when the source is this text: none, or a byte-order mark,
    /// which reading drops. `None` when the source is other text.
    fn shift(&self, src_text: &str) -> Option<usize> {
        if self.text.len() == src_text.len() {
            Some(0)
        } else if self.text.starts_with('\u{feff}') && self.text.len() == src_text.len() + 3 {
            Some(3)
        } else {
            None
        }
    }

    /// The text as the checker reads it: without a byte-order mark.
    fn checked_text(&self) -> &str {
        self.text.strip_prefix('\u{feff}').unwrap_or(&self.text)
    }
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    root: Option<PathBuf>,
    /// Open documents, by URI.
    open: BTreeMap<String, Doc>,
    /// The checked policies, or why there are none.
    program: Option<Program>,
    /// Each open manifest's findings as last checked (on every change), by
    /// URI: what quick fixes and definitions are found among.
    findings: BTreeMap<String, Vec<Finding>>,
    /// Each open policy file's errors as last checked, by URI: what its
    /// quick fixes are found among.
    errors: BTreeMap<String, Vec<Diag>>,
    /// Every error of the last check of the policies.
    policy_errors: Vec<Diag>,
    /// The policy files not open in the editor whose errors were
    /// published, by URI: cleared when they are fixed.
    elsewhere: std::collections::BTreeSet<String>,
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, encoding: Encoding, root: Option<PathBuf>) -> Server<'c> {
        let mut server = Server {
            connection,
            encoding,
            root,
            open: BTreeMap::new(),
            program: None,
            findings: BTreeMap::new(),
            errors: BTreeMap::new(),
            policy_errors: Vec::new(),
            elsewhere: std::collections::BTreeSet::new(),
        };
        let (program, errors) = server.compile();
        server.program = program;
        server.policy_errors = errors;
        server
    }

    fn config(&self) -> Option<Config> {
        let start = self.root.clone().or_else(|| std::env::current_dir().ok())?;
        Config::find(&start).ok().flatten()
    }

    /// The project's policies, with the open policy files as they are in
    /// the editor; and the errors of each policy file, by path.
    fn compile(&self) -> (Option<Program>, Vec<Diag>) {
        let config = self.config();
        let mut list = resolve(&[], config.as_ref());
        let open: Vec<(PathBuf, String)> = self
            .open
            .values()
            .filter_map(|doc| {
                let path = path_of(&doc.uri)?;
                is_policy(&path).then(|| {
                    let key = std::fs::canonicalize(&path).unwrap_or(path);
                    (key, doc.text.clone())
                })
            })
            .collect();
        // An open policy file the configuration does not name is checked
        // beside the project's policies.
        for (path, _) in &open {
            let named = list.iter().any(|p| match p {
                PolicyPath::Path(p) => std::fs::canonicalize(p)
                    .is_ok_and(|c| c == *path || (c.is_dir() && path.starts_with(&c))),
                PolicyPath::Builtin => false,
            });
            if !named {
                list.push(PolicyPath::Path(path.clone()));
            }
        }
        match compile(&list, &open) {
            Ok((Ok(program), _)) => (Some(program), Vec::new()),
            Ok((Err(errors), _)) => (None, errors),
            Err(_) => (None, Vec::new()),
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        // Every request is answered, whatever the document holds: at worst
        // with nothing.
        let result = match request.method.as_str() {
            "textDocument/hover" => self.hover(request.params),
            "textDocument/definition" => self.definition(request.params),
            "textDocument/formatting" => self.formatting(request.params),
            "textDocument/completion" => self.completion(request.params),
            "textDocument/codeAction" => self.code_actions(request.params),
            other => {
                let response = Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("proviso does not serve `{other}`"),
                );
                let _ = self.connection.sender.send(Message::Response(response));
                return;
            }
        };
        let response = Response::new_ok(id, result);
        let _ = self.connection.sender.send(Message::Response(response));
    }

    /// The open text of a document as the checker reads it (a byte-order
    /// mark dropped), and the byte offset of a position in it.
    fn at(&self, params: &lsp_types::TextDocumentPositionParams) -> Option<(&str, usize)> {
        let doc = self.open.get(params.text_document.uri.as_str())?;
        let offset = self
            .encoding
            .offset_in(&doc.text, &doc.lines, params.position);
        let text = doc.checked_text();
        Some((text, offset.saturating_sub(doc.text.len() - text.len())))
    }

    /// A range of a checked source's text, as the client counts it: in the
    /// open document when the source is its text (a byte-order mark
    /// aside), else in the source's own text.
    fn range_of(
        &self,
        doc: Option<&Doc>,
        src_text: &str,
        range: std::ops::Range<usize>,
    ) -> lsp_types::Range {
        match doc.and_then(|d| Some((d, d.shift(src_text)?))) {
            Some((d, shift)) => {
                self.encoding
                    .range_in(&d.text, &d.lines, range.start + shift..range.end + shift)
            }
            None => self.encoding.range(src_text, range),
        }
    }

    fn hover(&self, params: serde_json::Value) -> serde_json::Value {
        let Ok(params) = serde_json::from_value::<lsp_types::HoverParams>(params) else {
            return serde_json::Value::Null;
        };
        let position = &params.text_document_position_params;
        let (Some((text, offset)), Some(program)) = (self.at(position), &self.program) else {
            return serde_json::Value::Null;
        };
        let (value, range) = match self.policy_file(&position.text_document.uri) {
            Some(name) => {
                let Some(e) = policy::expr_at(program, &name, offset) else {
                    return serde_json::Value::Null;
                };
                (policy::describe(program, e), e.span.range())
            }
            None => {
                let Some(hit) = manifest::field_at(&program.types, text, offset) else {
                    return serde_json::Value::Null;
                };
                (manifest::describe(&program.types, hit.field), hit.key)
            }
        };
        let hover = lsp_types::Hover {
            contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                kind: lsp_types::MarkupKind::Markdown,
                value,
            }),
            range: Some(self.range_of(
                self.open.get(position.text_document.uri.as_str()),
                text,
                range,
            )),
        };
        serde_json::to_value(hover).unwrap_or_default()
    }

    /// From a key to its field's declaration in the schema; from a finding
    /// to its rule. A declaration in the shipped policies has no file to
    /// go to.
    fn definition(&self, params: serde_json::Value) -> serde_json::Value {
        let Ok(params) = serde_json::from_value::<lsp_types::GotoDefinitionParams>(params) else {
            return serde_json::Value::Null;
        };
        let position = &params.text_document_position_params;
        let (Some((text, offset)), Some(program)) = (self.at(position), &self.program) else {
            return serde_json::Value::Null;
        };
        if let Some(name) = self.policy_file(&position.text_document.uri) {
            let span = policy::expr_at(program, &name, offset)
                .and_then(|e| policy::declaration(program, e))
                .or_else(|| policy::named(program, text, offset));
            return serde_json::to_value(span.and_then(|s| self.location(&s))).unwrap_or_default();
        }
        let span = match manifest::field_at(&program.types, text, offset) {
            Some(hit) if offset <= hit.key.end => Some(hit.field.span.clone()),
            _ => self
                .findings
                .get(position.text_document.uri.as_str())
                .into_iter()
                .flatten()
                .find(|f| {
                    f.location
                        .range
                        .as_ref()
                        .is_some_and(|r| r.start <= offset && offset <= r.end)
                })
                .and_then(|f| f.rule_span.clone()),
        };
        let location = span.and_then(|span| self.location(&span));
        serde_json::to_value(location).unwrap_or_default()
    }

    /// Where a span of a policy is, for the client: a file of the user's
    /// (as open in the editor, or on disk). A shipped policy has none.
    fn location(&self, span: &crate::source::Span) -> Option<Location> {
        let doc = self.open.values().find(|doc| {
            self.policy_file(&doc.uri)
                .is_some_and(|n| n == span.src.name)
        });
        let uri = match doc {
            Some(doc) => doc.uri.clone(),
            None => uri_of(&std::fs::canonicalize(PathBuf::from(&span.src.name)).ok()?)?,
        };
        Some(Location {
            uri,
            range: self.range_of(doc, &span.src.text, span.range()),
        })
    }

    /// For a policy document: the name its source has in the program.
    fn policy_file(&self, uri: &Uri) -> Option<String> {
        let path = path_of(uri)?;
        if !is_policy(&path) {
            return None;
        }
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let program = self.program.as_ref()?;
        program
            .rules
            .iter()
            .map(|r| &r.span.src.name)
            .chain(program.types.records.iter().map(|r| &r.span.src.name))
            .find(|name| {
                let p = PathBuf::from(name.as_str());
                std::fs::canonicalize(&p).unwrap_or(p) == key
            })
            .cloned()
    }

    /// In a manifest: the keys its record may still take, or the values
    /// of the enum field being written.
    fn completion(&self, params: serde_json::Value) -> serde_json::Value {
        let Ok(params) = serde_json::from_value::<lsp_types::CompletionParams>(params) else {
            return serde_json::Value::Null;
        };
        let position = &params.text_document_position;
        let (Some((text, offset)), Some(program)) = (self.at(position), &self.program) else {
            return serde_json::Value::Null;
        };
        if path_of(&position.text_document.uri).is_some_and(|p| is_policy(&p)) {
            let items: Vec<lsp_types::CompletionItem> =
                policy_complete::offer(program, text, offset)
                    .into_iter()
                    .map(|(label, detail, item)| lsp_types::CompletionItem {
                        label,
                        detail: Some(detail),
                        kind: Some(match item {
                            policy_complete::Item::Field => lsp_types::CompletionItemKind::FIELD,
                            policy_complete::Item::Value => {
                                lsp_types::CompletionItemKind::ENUM_MEMBER
                            }
                            policy_complete::Item::Clause => lsp_types::CompletionItemKind::KEYWORD,
                        }),
                        ..lsp_types::CompletionItem::default()
                    })
                    .collect();
            return serde_json::to_value(items).unwrap_or_default();
        }
        let items: Vec<lsp_types::CompletionItem> =
            match complete::offer(&program.types, text, offset) {
                Some(complete::Offer::Keys(keys)) => keys
                    .into_iter()
                    .map(|(key, ty)| lsp_types::CompletionItem {
                        insert_text: Some(format!("{key}: ")),
                        label: key,
                        kind: Some(lsp_types::CompletionItemKind::FIELD),
                        detail: Some(ty),
                        ..lsp_types::CompletionItem::default()
                    })
                    .collect(),
                Some(complete::Offer::Values(values)) => values
                    .into_iter()
                    .map(|value| lsp_types::CompletionItem {
                        label: value,
                        kind: Some(lsp_types::CompletionItemKind::ENUM_MEMBER),
                        ..lsp_types::CompletionItem::default()
                    })
                    .collect(),
                None => return serde_json::Value::Null,
            };
        serde_json::to_value(items).unwrap_or_default()
    }

    /// Quick fixes for the findings in a range: a "did you mean" applied,
    /// and a waiver added for a rule's finding (its reason, approver and
    /// expiry left to fill: the placeholder date is not a date, so the
    /// waiver silences nothing until it is written).
    fn code_actions(&self, params: serde_json::Value) -> serde_json::Value {
        let Ok(params) = serde_json::from_value::<lsp_types::CodeActionParams>(params) else {
            return serde_json::Value::Null;
        };
        let uri = &params.text_document.uri;
        if let Some(errors) = self.errors.get(uri.as_str()) {
            return self.policy_fixes(uri, errors, params.range);
        }
        let (Some(doc), Some(program)) = (self.open.get(uri.as_str()), &self.program) else {
            return serde_json::json!([]);
        };
        let findings = self
            .findings
            .get(uri.as_str())
            .map_or(&[][..], Vec::as_slice);
        let wanted = (
            self.encoding
                .offset_in(&doc.text, &doc.lines, params.range.start),
            self.encoding
                .offset_in(&doc.text, &doc.lines, params.range.end),
        );
        let mut actions = Vec::new();
        for f in findings {
            let (Some(src), Some(r)) = (&f.location.source, &f.location.range) else {
                continue;
            };
            // Only findings on this very text: a fix of other text would
            // land in the wrong place.
            let Some(shift) = doc.shift(&src.text) else {
                continue;
            };
            if r.end + shift < wanted.0 || r.start + shift > wanted.1 {
                continue;
            }
            let diagnostic = self.finding(f, Some(doc));
            if let Some(fix) = &f.fix {
                let edit = lsp_types::TextEdit {
                    range: self.range_of(Some(doc), &src.text, fix.range.clone()),
                    new_text: fix.replacement.clone(),
                };
                actions.push(action(
                    format!("Replace with `{}`", fix.replacement),
                    uri,
                    vec![edit],
                    &diagnostic,
                    true,
                ));
            }
            if program.rule(&f.rule).is_some() && f.waiver.is_none() {
                if let Some((at, new_text)) = waiver_edit(&src.text, f) {
                    let edit = lsp_types::TextEdit {
                        range: self.range_of(Some(doc), &src.text, at..at),
                        new_text,
                    };
                    actions.push(action(
                        format!("Add a waiver of `{}`", f.rule),
                        uri,
                        vec![edit],
                        &diagnostic,
                        false,
                    ));
                }
            }
        }
        serde_json::to_value(actions).unwrap_or_default()
    }

    /// Quick fixes for a policy file's errors in a range: each "did you
    /// mean" applied.
    fn policy_fixes(
        &self,
        uri: &Uri,
        errors: &[Diag],
        range: lsp_types::Range,
    ) -> serde_json::Value {
        let Some(doc) = self.open.get(uri.as_str()) else {
            return serde_json::json!([]);
        };
        let wanted = (
            self.encoding.offset_in(&doc.text, &doc.lines, range.start),
            self.encoding.offset_in(&doc.text, &doc.lines, range.end),
        );
        let mut actions = Vec::new();
        for d in errors {
            let Some(fix) = &d.fix else { continue };
            let Some(shift) = doc.shift(&d.span.src.text) else {
                continue;
            };
            if fix.range.end + shift < wanted.0 || fix.range.start + shift > wanted.1 {
                continue;
            }
            let edit = lsp_types::TextEdit {
                range: self.range_of(Some(doc), &d.span.src.text, fix.range.clone()),
                new_text: fix.replacement.clone(),
            };
            actions.push(action(
                format!("Replace with `{}`", fix.replacement),
                uri,
                vec![edit],
                &self.diag(d, Some(doc)),
                true,
            ));
        }
        serde_json::to_value(actions).unwrap_or_default()
    }

    /// A policy in the canonical layout (`proviso fmt`): one edit of the
    /// whole text, or none when it does not parse or is formatted.
    fn formatting(&self, params: serde_json::Value) -> serde_json::Value {
        let Ok(params) = serde_json::from_value::<lsp_types::DocumentFormattingParams>(params)
        else {
            return serde_json::Value::Null;
        };
        let Some(doc) = self.open.get(params.text_document.uri.as_str()) else {
            return serde_json::json!([]);
        };
        let text = &doc.text;
        let edits = match crate::fmt::format_source(text) {
            Ok(formatted) if formatted != *text => vec![lsp_types::TextEdit {
                range: self.encoding.range_in(text, &doc.lines, 0..text.len()),
                new_text: formatted,
            }],
            _ => Vec::new(),
        };
        serde_json::to_value(edits).unwrap_or_default()
    }

    fn notification(&mut self, note: Notification) {
        let changed = match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(note.params)
                    .ok()
                    .map(|p| {
                        let uri = p.text_document.uri;
                        self.open.insert(
                            uri.as_str().to_string(),
                            Doc::new(uri.clone(), p.text_document.text),
                        );
                        uri
                    })
            }
            DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(note.params)
                    .ok()
                    .and_then(|p| {
                        let uri = p.text_document.uri;
                        let doc = self.open.get_mut(uri.as_str())?;
                        // Each change replaces its range, or, without
                        // one, the whole text, in the order sent.
                        for change in p.content_changes {
                            match change.range {
                                Some(range) => {
                                    let at = |p| self.encoding.offset_in(&doc.text, &doc.lines, p);
                                    let start = at(range.start);
                                    let end = at(range.end).max(start);
                                    doc.text.replace_range(start..end, &change.text);
                                }
                                None => doc.text = change.text,
                            }
                            doc.lines = Lines::new(&doc.text);
                        }
                        Some(uri)
                    })
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(note.params)
                {
                    let uri = p.text_document.uri;
                    self.open.remove(uri.as_str());
                    self.findings.remove(uri.as_str());
                    self.errors.remove(uri.as_str());
                    self.publish(&uri, Vec::new());
                    // A policy closed unsaved: the one on disk counts again.
                    if path_of(&uri).is_some_and(|p| is_policy(&p)) {
                        self.policies_changed();
                    }
                }
                None
            }
            // Saved: the policies on disk may have changed with it.
            DidSaveTextDocument::METHOD => {
                self.policies_changed();
                None
            }
            _ => None,
        };
        if let Some(uri) = changed {
            let is_policy_doc = path_of(&uri).is_some_and(|p| is_policy(&p));
            if is_policy_doc {
                self.policies_changed();
            } else {
                self.check_manifest(&uri);
            }
        }
    }

    /// A policy changed: check the policies again, publish each policy
    /// file's errors (open in the editor or not), and check every open
    /// manifest again.
    fn policies_changed(&mut self) {
        let (program, errors) = self.compile();
        let mut by_file: BTreeMap<PathBuf, Vec<Diag>> = BTreeMap::new();
        for d in &errors {
            let name = PathBuf::from(&d.span.src.name);
            let key = std::fs::canonicalize(&name).unwrap_or(name);
            by_file.entry(key).or_default().push(d.clone());
        }
        let uris: Vec<Uri> = self.open.values().map(|d| d.uri.clone()).collect();
        let mut published = std::collections::BTreeSet::new();
        for uri in &uris {
            let Some(path) = path_of(uri) else { continue };
            if !is_policy(&path) {
                continue;
            }
            let key = std::fs::canonicalize(&path).unwrap_or(path);
            let mine = by_file.remove(&key).unwrap_or_default();
            let doc = self.open.get(uri.as_str());
            self.publish(uri, mine.iter().map(|d| self.diag(d, doc)).collect());
            self.errors.insert(uri.as_str().to_string(), mine);
        }
        // Errors of the project's policy files that are not open: on the
        // files themselves, so the editor lists them, and no manifest
        // seems to pass while its rules cannot be checked.
        for (path, mine) in &by_file {
            let Some(uri) = uri_of(path) else { continue };
            self.publish(&uri, mine.iter().map(|d| self.diag(d, None)).collect());
            published.insert(uri.as_str().to_string());
        }
        for stale in self.elsewhere.difference(&published) {
            if let Ok(uri) = Uri::from_str(stale) {
                if !self.open.contains_key(stale) {
                    self.publish(&uri, Vec::new());
                }
            }
        }
        self.elsewhere = published;
        if program.is_some() {
            self.program = program;
        }
        self.policy_errors = errors;
        for uri in uris {
            if path_of(&uri).is_some_and(|p| !is_policy(&p)) {
                self.check_manifest(&uri);
            }
        }
    }

    fn check_manifest(&mut self, uri: &Uri) {
        let Some(doc) = self.open.get(uri.as_str()) else {
            return;
        };
        let Some(program) = &self.program else {
            // Rules that do not load check nothing: say so on the
            // manifest, rather than show it clean.
            let first = self.policy_errors.first().map_or_else(
                || "the policies could not be read".to_string(),
                |d| crate::report::short::diag(d, crate::source::ColumnUnit::Chars),
            );
            let diagnostic = Diagnostic {
                range: lsp_types::Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("proviso".into()),
                message: format!(
                    "not checked: the project's policies have errors, so no rule was run\n{}",
                    visible(&first)
                ),
                ..Diagnostic::default()
            };
            self.publish(uri, vec![diagnostic]);
            self.findings.remove(uri.as_str());
            return;
        };
        let name = path_of(uri).map_or_else(
            || uri.as_str().to_string(),
            |p| p.to_string_lossy().into_owned(),
        );
        // The run's settings of the project configuration, as `proviso
        // check` reads them.
        let mut options = Options::new(Date::today_utc());
        if let Some(config) = self.config() {
            if let Some(days) = config.max_waiver_days {
                options.max_waiver_days = days;
            }
            if let Some(size) = config.max_file_size {
                options.max_file_size = size;
            }
        }
        let report = check_text(program, &name, doc.text.clone(), &options);
        let diagnostics = report
            .findings
            .iter()
            .filter(|f| f.waiver.is_none())
            .map(|f| self.finding(f, Some(doc)))
            .collect();
        self.publish(uri, diagnostics);
        self.findings
            .insert(uri.as_str().to_string(), report.findings);
    }

    fn finding(&self, f: &Finding, doc: Option<&Doc>) -> Diagnostic {
        let range = f
            .location
            .span()
            .map(|span| self.range_of(doc, &span.src.text, span.range()))
            .unwrap_or_default();
        let related = f.rule_span.as_ref().and_then(|span| {
            let path = PathBuf::from(&span.src.name);
            let uri = uri_of(&std::fs::canonicalize(&path).ok()?)?;
            Some(vec![DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: self.encoding.range(&span.src.text, span.range()),
                },
                message: format!("the rule `{}`", visible(&f.rule)),
            }])
        });
        Diagnostic {
            range,
            severity: Some(match f.severity {
                crate::ast::Severity::Error => DiagnosticSeverity::ERROR,
                crate::ast::Severity::Warning => DiagnosticSeverity::WARNING,
                crate::ast::Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(f.rule.clone())),
            source: Some("proviso".into()),
            message: message(&f.message, f.help.as_deref()),
            related_information: related,
            ..Diagnostic::default()
        }
    }

    /// A policy error, placed in the open document `doc` when it is the
    /// error's file, else in the file as the checker read it.
    fn diag(&self, d: &Diag, doc: Option<&Doc>) -> Diagnostic {
        Diagnostic {
            range: self.range_of(doc, &d.span.src.text, d.span.range()),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("proviso".into()),
            message: message(&d.message, d.help.as_deref()),
            ..Diagnostic::default()
        }
    }

    fn publish(&self, uri: &Uri, diagnostics: Vec<Diagnostic>) {
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version: None,
        };
        let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        let _ = self.connection.sender.send(Message::Notification(note));
    }
}

/// A diagnostic's message: the message, then its help on a line of its
/// own. Text from a manifest or a policy is written [`visible`]: a line
/// break or a control character in a value cannot add a line of its own.
fn message(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{}\nhelp: {}", visible(message), visible(help)),
        None => visible(message).into_owned(),
    }
}

fn is_policy(path: &std::path::Path) -> bool {
    crate::cli::policies::is_policy(path)
}

/// The kind the protocol names an encoding by.
impl Encoding {
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

// The protocol's edits are keyed by `Uri`, whose interior mutability is a
// cache of its parsed parts: its hash and equality follow its text.
#[allow(clippy::mutable_key_type)]
fn action(
    title: String,
    uri: &Uri,
    edits: Vec<lsp_types::TextEdit>,
    diagnostic: &Diagnostic,
    preferred: bool,
) -> lsp_types::CodeAction {
    let mut changes = std::collections::HashMap::new();
    changes.insert(uri.clone(), edits);
    lsp_types::CodeAction {
        title,
        kind: Some(lsp_types::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(lsp_types::WorkspaceEdit {
            changes: Some(changes),
            ..lsp_types::WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred),
        ..lsp_types::CodeAction::default()
    }
}

/// A waiver of the finding's rule for its grant: where to insert it in the
/// manifest's text, and the text. It goes before the first item of a block
/// `waivers:` list, lined up with it; under a `waivers:` with no value; or
/// in a new `waivers:` at the end. Names are written as YAML reads them
/// back (`grant: "#inbox"`). Any other layout (a flow list, a file of
/// several documents) gets no edit rather than a wrong one.
fn waiver_edit(text: &str, f: &Finding) -> Option<(usize, String)> {
    use crate::testing::tree::{self, Kind};
    let src = crate::source::Source::new("manifest", text);
    let root = tree::read(&src).ok()??;
    let Kind::Map(entries) = &root.kind else {
        return None;
    };
    // The grant the finding is about: the id of the `grants` item bound.
    let grant = f.bindings.iter().find_map(|b| match b.segs() {
        [crate::manifest::path::Seg::Key(k), crate::manifest::path::Seg::Index(i), ..]
            if k == "grants" =>
        {
            match &root.get("grants")?.kind {
                Kind::Seq(items) => items.get(*i)?.get("id")?.scalar().map(str::to_string),
                _ => None,
            }
        }
        _ => None,
    });
    let item = |pad: &str| {
        let grant_line = grant
            .as_ref()
            .map(|g| format!("{pad}  grant: {}\n", tree::string_scalar(g)))
            .unwrap_or_default();
        format!(
            "{pad}- rule: {}\n{grant_line}{pad}  reason: <why the finding is accepted>\n{pad}  approved_by: <who approved it>\n{pad}  expires: <YYYY-MM-DD, within the allowed days>\n",
            tree::string_scalar(&f.rule)
        )
    };
    let line_start = |at: usize| {
        text.get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    };
    match entries.iter().find(|(k, _, _)| k == "waivers") {
        Some((_, key, node)) => match &node.kind {
            Kind::Seq(items) => {
                let first = items.first()?;
                let start = line_start(first.span.start);
                let before = text.get(start..first.span.start)?;
                // `  - rule: ...`: spaces, the dash, spaces, the item.
                let dash = before.find('-')?;
                let block = before.get(..dash)?.bytes().all(|b| b == b' ')
                    && before.get(dash + 1..)?.bytes().all(|b| b == b' ');
                block.then(|| (start, item(&" ".repeat(dash))))
            }
            _ if node.is_null() && node.span.start >= key.end => {
                let indent = key.start - line_start(key.start);
                let next = text.get(key.end..)?.find('\n').map(|i| key.end + i + 1)?;
                Some((next, item(&" ".repeat(indent + 2))))
            }
            _ => None,
        },
        None => {
            // One document, ending the text: nothing after the last value
            // but blank lines and comments.
            let rest = text.get(root.span.end..)?;
            let plain = rest
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
            if !plain {
                return None;
            }
            let sep = if text.ends_with('\n') || text.is_empty() {
                ""
            } else {
                "\n"
            };
            Some((text.len(), format!("{sep}waivers:\n{}", item("  "))))
        }
    }
}
