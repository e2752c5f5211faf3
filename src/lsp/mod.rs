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
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

/// Serves one client over `connection` until it asks to exit.
pub fn serve(connection: &Connection) -> Result<(), String> {
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
                    return Ok(());
                }
                server.request(request);
            }
            Message::Notification(note) => server.notification(note),
            Message::Response(_) => {}
        }
    }
    Ok(())
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

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    root: Option<PathBuf>,
    /// Open documents: their text, by URI.
    open: BTreeMap<String, (Uri, String)>,
    /// The checked policies, or why there are none.
    program: Option<Program>,
    /// Each open manifest's findings as last checked (on every change), by
    /// URI: what quick fixes and definitions are found among.
    findings: BTreeMap<String, Vec<Finding>>,
    /// Each open policy file's errors as last checked, by URI: what its
    /// quick fixes are found among.
    errors: BTreeMap<String, Vec<Diag>>,
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
        };
        server.program = server.compile().0;
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
            .filter_map(|(uri, text)| {
                let path = path_of(uri)?;
                is_policy(&path).then(|| {
                    let key = std::fs::canonicalize(&path).unwrap_or(path);
                    (key, text.clone())
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

    /// The open text of a document and the byte offset of a position in
    /// it.
    fn at(&self, params: &lsp_types::TextDocumentPositionParams) -> Option<(&str, usize)> {
        let (_, text) = self.open.get(params.text_document.uri.as_str())?;
        Some((text, self.encoding.offset(text, params.position)))
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
            range: Some(self.encoding.range(text, range)),
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
        let uri = self
            .open
            .values()
            .find(|(uri, _)| self.policy_file(uri).is_some_and(|n| n == span.src.name))
            .map(|(uri, _)| uri.clone())
            .or_else(|| uri_of(&std::fs::canonicalize(PathBuf::from(&span.src.name)).ok()?))?;
        Some(Location {
            uri,
            range: self.encoding.range(&span.src.text, span.range()),
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
        let (Some((_, text)), Some(program)) = (self.open.get(uri.as_str()), &self.program) else {
            return serde_json::json!([]);
        };
        let findings = self
            .findings
            .get(uri.as_str())
            .map_or(&[][..], Vec::as_slice);
        let wanted = (
            self.encoding.offset(text, params.range.start),
            self.encoding.offset(text, params.range.end),
        );
        let mut actions = Vec::new();
        for f in findings {
            let (Some(src), Some(r)) = (&f.location.source, &f.location.range) else {
                continue;
            };
            if r.end < wanted.0 || r.start > wanted.1 {
                continue;
            }
            let diagnostic = self.finding(f);
            if let Some(fix) = &f.fix {
                let edit = lsp_types::TextEdit {
                    range: self.encoding.range(&src.text, fix.range.clone()),
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
                if let Some(edit) = waiver_edit(self.encoding, &src.text, f) {
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
        let Some((_, text)) = self.open.get(uri.as_str()) else {
            return serde_json::json!([]);
        };
        let mut actions = Vec::new();
        for d in errors {
            let Some(fix) = &d.fix else { continue };
            let src_text = policy_text(d, text);
            let wanted = (
                self.encoding.offset(src_text, range.start),
                self.encoding.offset(src_text, range.end),
            );
            if fix.range.end < wanted.0 || fix.range.start > wanted.1 {
                continue;
            }
            let edit = lsp_types::TextEdit {
                range: self.encoding.range(src_text, fix.range.clone()),
                new_text: fix.replacement.clone(),
            };
            actions.push(action(
                format!("Replace with `{}`", fix.replacement),
                uri,
                vec![edit],
                &self.diag(d, text),
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
        let Some((_, text)) = self.open.get(params.text_document.uri.as_str()) else {
            return serde_json::json!([]);
        };
        let edits = match crate::fmt::format_source(text) {
            Ok(formatted) if formatted != *text => vec![lsp_types::TextEdit {
                range: self.encoding.range(text, 0..text.len()),
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
                            (uri.clone(), p.text_document.text),
                        );
                        uri
                    })
            }
            DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(note.params)
                    .ok()
                    .and_then(|p| {
                        let uri = p.text_document.uri;
                        let (_, text) = self.open.get_mut(uri.as_str())?;
                        // Each change replaces its range, or, without
                        // one, the whole text, in the order sent.
                        for change in p.content_changes {
                            match change.range {
                                Some(range) => {
                                    let start = self.encoding.offset(text, range.start);
                                    let end = self.encoding.offset(text, range.end).max(start);
                                    text.replace_range(start..end, &change.text);
                                }
                                None => *text = change.text,
                            }
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
                }
                None
            }
            DidSaveTextDocument::METHOD => None,
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

    /// A policy changed: check the policies again, publish each open
    /// policy file's errors, and check every open manifest again.
    fn policies_changed(&mut self) {
        let (program, errors) = self.compile();
        let docs: Vec<(Uri, String)> = self.open.values().cloned().collect();
        for (uri, text) in &docs {
            let Some(path) = path_of(uri) else { continue };
            if !is_policy(&path) {
                continue;
            }
            let key = std::fs::canonicalize(&path).unwrap_or(path);
            let mine: Vec<Diag> = errors
                .iter()
                .filter(|d| {
                    let name = PathBuf::from(&d.span.src.name);
                    std::fs::canonicalize(&name).unwrap_or(name) == key
                })
                .cloned()
                .collect();
            self.publish(uri, mine.iter().map(|d| self.diag(d, text)).collect());
            self.errors.insert(uri.as_str().to_string(), mine);
        }
        if program.is_some() {
            self.program = program;
        }
        for (uri, _) in docs {
            if path_of(&uri).is_some_and(|p| !is_policy(&p)) {
                self.check_manifest(&uri);
            }
        }
    }

    fn check_manifest(&mut self, uri: &Uri) {
        let Some((_, text)) = self.open.get(uri.as_str()) else {
            return;
        };
        let Some(program) = &self.program else {
            return;
        };
        let name = path_of(uri).map_or_else(
            || uri.as_str().to_string(),
            |p| p.to_string_lossy().into_owned(),
        );
        let report = check_text(
            program,
            &name,
            text.clone(),
            &Options::new(Date::today_utc()),
        );
        let diagnostics = report
            .findings
            .iter()
            .filter(|f| f.waiver.is_none())
            .map(|f| self.finding(f))
            .collect();
        self.publish(uri, diagnostics);
        self.findings
            .insert(uri.as_str().to_string(), report.findings);
    }

    fn finding(&self, f: &Finding) -> Diagnostic {
        let range = match (&f.location.source, &f.location.range) {
            (Some(src), Some(r)) => self.encoding.range(&src.text, r.clone()),
            _ => lsp_types::Range::default(),
        };
        let related = f.rule_span.as_ref().and_then(|span| {
            let path = PathBuf::from(&span.src.name);
            let uri = uri_of(&std::fs::canonicalize(&path).ok()?)?;
            Some(vec![DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: self.encoding.range(&span.src.text, span.range()),
                },
                message: format!("the rule `{}`", f.rule),
            }])
        });
        let message = match &f.help {
            Some(help) => format!("{}\nhelp: {help}", f.message),
            None => f.message.clone(),
        };
        Diagnostic {
            range,
            severity: Some(match f.severity {
                crate::ast::Severity::Error => DiagnosticSeverity::ERROR,
                crate::ast::Severity::Warning => DiagnosticSeverity::WARNING,
                crate::ast::Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(f.rule.clone())),
            source: Some("proviso".into()),
            message,
            related_information: related,
            ..Diagnostic::default()
        }
    }

    fn diag(&self, d: &Diag, text: &str) -> Diagnostic {
        let message = match &d.help {
            Some(help) => format!("{}\nhelp: {help}", d.message),
            None => d.message.clone(),
        };
        let src_text = policy_text(d, text);
        Diagnostic {
            range: self.encoding.range(src_text, d.span.range()),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("proviso".into()),
            message,
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

/// The policy's text as the checker read it (a byte-order mark dropped),
/// which an error's positions count in; the editor's when it is shorter.
fn policy_text<'a>(d: &'a Diag, text: &'a str) -> &'a str {
    if d.span.src.text.len() <= text.len() {
        d.span.src.text.as_str()
    } else {
        text
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

/// A waiver of the finding's rule for its grant, added as the first item
/// of the manifest's `waivers:` (made when there is none).
fn waiver_edit(encoding: Encoding, text: &str, f: &Finding) -> Option<lsp_types::TextEdit> {
    // The grant the finding is about: the id of the `grants` item bound.
    let grant = f.bindings.iter().find_map(|b| match b.segs() {
        [crate::manifest::path::Seg::Key(k), crate::manifest::path::Seg::Index(i), ..]
            if k == "grants" =>
        {
            let src = crate::source::Source::new("manifest", text);
            let root = crate::testing::tree::read(&src).ok()??;
            match &root.get("grants")?.kind {
                crate::testing::tree::Kind::Seq(items) => {
                    items.get(*i)?.get("id")?.scalar().map(str::to_string)
                }
                _ => None,
            }
        }
        _ => None,
    });
    let grant_line = grant
        .map(|g| format!("    grant: {g}\n"))
        .unwrap_or_default();
    let item = format!(
        "  - rule: {}\n{grant_line}    reason: <why the finding is accepted>\n    approved_by: <who approved it>\n    expires: <YYYY-MM-DD, within the allowed days>\n",
        f.rule
    );
    let (at, new_text) = match text
        .match_indices("\nwaivers:")
        .next()
        .map(|(i, _)| i + 1)
        .or_else(|| text.starts_with("waivers:").then_some(0))
    {
        Some(i) => {
            let line_end = text.get(i..)?.find('\n').map_or(text.len(), |e| i + e + 1);
            (line_end, item)
        }
        None => {
            let sep = if text.ends_with('\n') || text.is_empty() {
                ""
            } else {
                "\n"
            };
            (text.len(), format!("{sep}waivers:\n{item}"))
        }
    };
    Some(lsp_types::TextEdit {
        range: encoding.range(text, at..at),
        new_text,
    })
}
