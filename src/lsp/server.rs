//! The message loop: reads messages on a thread (so that a quiet spell can
//! run pending diagnostics), answers requests in order, recovers from
//! malformed messages, turns a panic in a handler into an error reply, and
//! exits when the client says so or disappears.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{Diagnostic, Uri, notification as note, request as req};
use serde_json::Value;

use super::checker::{self, Checked, Job};
use super::document::{Document, Kind, kind_of, uri_path};
use super::lookup::Resolve;
use super::position::Encoding;
use super::world::{Analysis, World};

/// How long typing must pause before a document is checked again. Short:
/// the check runs on the checker thread, which runs only the newest of the
/// jobs waiting for a document, so a burst of keystrokes costs at most a
/// check more, and nothing waits on it.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// How often, at most, files on disk are looked at for changes when the
/// client sends no file events.
const RESTAMP: Duration = Duration::from_millis(500);

/// A request's failure, as the reply says it.
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure { code: ErrorCode::InvalidParams as i32, message: message.into() }
    }
}

type Reply = Result<Value, Failure>;

enum Incoming {
    Message(Message),
    Malformed(String),
    /// The reply to a request answered on another thread.
    Answer(Response),
    /// The input ended (the loop's own sender keeps the channel open).
    Closed,
    /// A check the checker thread did.
    Checked(Box<Checked>),
}

/// The server's state.
pub struct Server<W: Write> {
    out: W,
    /// What the loop reads: the client's messages, and what other threads send.
    inbox: mpsc::Receiver<Incoming>,
    /// Messages read while a request waited for a check, to handle next.
    deferred: VecDeque<Incoming>,
    /// Where replies made on other threads go (the message loop sends them).
    answers: mpsc::Sender<Incoming>,
    /// The checker thread's queue, and the version of each document it has in hand.
    checker: mpsc::Sender<Job>,
    checking: HashMap<String, i32>,
    /// Whether the checker is to forget what it read from files (the
    /// repository changed), and which load of the repository is current.
    forget: bool,
    generation: u64,
    pub(super) enc: Encoding,
    root: Option<PathBuf>,
    pub(super) docs: HashMap<String, Document>,
    world: Option<Arc<World>>,
    stamped: Option<Instant>,
    analyses: HashMap<String, (i32, Analysis)>,
    pending: HashMap<String, Instant>,
    initialized: bool,
    shutdown: bool,
    watch_registration: bool,
    /// Whether the client reads Markdown in hovers and in completion documentation
    /// (only when it says so; plain text otherwise, as the protocol assumes).
    pub(super) markdown: (bool, bool),
    /// Whether the client resolves a code action's edit (`codeAction/resolve`).
    pub(super) resolves_actions: bool,
    next_id: i32,
}

/// Serves one client on `input`/`output` until it exits; returns the exit
/// code (0 after `shutdown` then `exit`, 1 when the client went away without).
pub fn serve(input: impl BufRead + Send + 'static, output: impl Write, cwd: &Path) -> i32 {
    let (tx, rx) = mpsc::channel();
    let answers = tx.clone();
    let checked = tx.clone();
    std::thread::spawn(move || read(input, tx));
    let checker = checker::spawn(move |c| {
        let _ = checked.send(Incoming::Checked(Box::new(c)));
    });
    let mut s = Server {
        out: output,
        inbox: rx,
        deferred: VecDeque::new(),
        answers,
        checker,
        checking: HashMap::new(),
        forget: false,
        generation: 0,
        enc: Encoding::Utf16,
        root: Some(cwd.to_path_buf()),
        docs: HashMap::new(),
        world: None,
        stamped: None,
        analyses: HashMap::new(),
        pending: HashMap::new(),
        initialized: false,
        shutdown: false,
        watch_registration: false,
        markdown: (true, true),
        resolves_actions: false,
        next_id: 0,
    };
    loop {
        let wait = s.pending.values().min().map(|t| t.saturating_duration_since(Instant::now()));
        let next = match (s.deferred.pop_front(), wait) {
            (Some(m), _) => Ok(m),
            (None, Some(w)) => s.inbox.recv_timeout(w),
            (None, None) => s.inbox.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        let sent = match next {
            Ok(Incoming::Malformed(e)) => {
                eprintln!("citelock lsp: {e}");
                write_raw(&mut s.out, &parse_error(&e))
            }
            Ok(Incoming::Message(Message::Request(r))) => match s.request(r) {
                Some(response) => s.send(Message::Response(response)),
                None => Ok(()),
            },
            Ok(Incoming::Answer(response)) => s.send(Message::Response(response)),
            Ok(Incoming::Checked(c)) => s.checked(*c),
            Ok(Incoming::Message(Message::Notification(n))) => {
                if n.method == note::Exit::METHOD {
                    return if s.shutdown { 0 } else { 1 };
                }
                s.notification(n)
            }
            Ok(Incoming::Message(Message::Response(_))) => Ok(()),
            Err(mpsc::RecvTimeoutError::Timeout) => s.publish_due(),
            Ok(Incoming::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => return 1,
        };
        if let Err(e) = sent {
            eprintln!("citelock lsp: cannot write to the client: {e}");
            return 1;
        }
    }
}

/// Reads messages until the input ends. A malformed message is reported and
/// skipped (its header said how long it was, or the next header is looked
/// for line by line); an input that ends ends the loop.
fn read(mut input: impl BufRead, tx: mpsc::Sender<Incoming>) {
    loop {
        let incoming = match Message::read(&mut input) {
            Ok(Some(m)) => Incoming::Message(m),
            Ok(None) => {
                let _ = tx.send(Incoming::Closed);
                return;
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Incoming::Malformed(e.to_string()),
            Err(e) => {
                eprintln!("citelock lsp: reading from the client: {e}");
                let _ = tx.send(Incoming::Closed);
                return;
            }
        };
        let exit = matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if tx.send(incoming).is_err() || exit {
            return;
        }
    }
}

/// The fault-injection seam: `CITELOCK_FAIL_AT=lsp:METHOD` makes that handler panic.
fn fail_point(method: &str) {
    if std::env::var(crate::faults::FAIL_ENV).is_ok_and(|v| v == format!("lsp:{method}")) {
        panic!("fail point lsp:{method}");
    }
}

/// The error reply to a request whose handler panicked (the message said on stderr too).
fn failed(id: RequestId, method: &str, panic: Box<dyn std::any::Any + Send>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    eprintln!("citelock lsp: {method} failed: {what}");
    Response::new_err(id, ErrorCode::InternalError as i32, format!("citelock failed on {method}: {what}"))
}

/// JSON-RPC's reply to a message that cannot be parsed (its id unknown: null).
fn parse_error(message: &str) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": ErrorCode::ParseError as i32, "message": message}})
        .to_string()
}

fn write_raw(out: &mut impl Write, body: &str) -> std::io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

impl<W: Write> Server<W> {
    fn send(&mut self, message: Message) -> std::io::Result<()> {
        message.write(&mut self.out)?;
        self.out.flush()
    }

    fn notify<N: lsp_types::notification::Notification>(&mut self, params: N::Params) -> std::io::Result<()> {
        self.send(Message::Notification(Notification::new(N::METHOD.to_owned(), params)))
    }

    /// The reply to a request, or `None` when a thread of its own makes it
    /// (a code action's DOI lookup) and sends it to the loop.
    fn request(&mut self, r: Request) -> Option<Response> {
        let id = r.id.clone();
        let method = r.method.clone();
        if !self.initialized && method != req::Initialize::METHOD {
            return Some(Response::new_err(id, ErrorCode::ServerNotInitialized as i32, "initialize first".into()));
        }
        if self.shutdown {
            return Some(Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into()));
        }
        if method == req::CodeActionResolveRequest::METHOD {
            let prepared = catch_unwind(AssertUnwindSafe(|| {
                fail_point(&method);
                let action =
                    serde_json::from_value(r.params).map_err(|e| Failure::invalid(format!("{method}: {e}")))?;
                self.resolve_action(action)
            }));
            let lookup = match prepared {
                Ok(Ok(Resolve::Lookup(lookup))) => lookup,
                Ok(Ok(Resolve::Done(action))) => return Some(Response::new_ok(id, *action)),
                Ok(Err(f)) => return Some(Response::new_err(id, f.code, f.message)),
                Err(panic) => return Some(failed(id, &method, panic)),
            };
            let answers = self.answers.clone();
            std::thread::spawn(move || {
                let response = match catch_unwind(AssertUnwindSafe(lookup)) {
                    Ok(Ok(action)) => Response::new_ok(id, action),
                    Ok(Err(f)) => Response::new_err(id, f.code, f.message),
                    Err(panic) => failed(id, &method, panic),
                };
                let _ = answers.send(Incoming::Answer(response));
            });
            return None;
        }
        Some(match catch_unwind(AssertUnwindSafe(|| self.dispatch(r))) {
            Ok(Ok(value)) => Response { id, response_result: Ok(value) },
            Ok(Err(f)) => Response::new_err(id, f.code, f.message),
            Err(panic) => failed(id, &method, panic),
        })
    }

    fn dispatch(&mut self, r: Request) -> Reply {
        fn params<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, Failure> {
            serde_json::from_value(r.params).map_err(|e| Failure::invalid(format!("{}: {e}", r.method)))
        }
        fn to<T: serde::Serialize>(v: Result<T, Failure>) -> Reply {
            v.map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
        }
        fail_point(&r.method);
        match r.method.as_str() {
            req::Initialize::METHOD => to(Ok(self.initialize(params(r)?))),
            req::Shutdown::METHOD => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            req::HoverRequest::METHOD => to(self.hover(params(r)?)),
            req::Completion::METHOD => to(self.completion(params(r)?)),
            req::ResolveCompletionItem::METHOD => to(self.resolve(params(r)?)),
            req::GotoDefinition::METHOD => to(self.definition(params(r)?)),
            req::References::METHOD => to(self.references(params(r)?)),
            req::DocumentLinkRequest::METHOD => to(self.links(params(r)?)),
            req::CodeLensRequest::METHOD => to(self.lenses(params(r)?)),
            req::CodeActionRequest::METHOD => to(self.actions(params(r)?)),
            req::PrepareRenameRequest::METHOD => to(self.prepare_rename(params(r)?)),
            req::Rename::METHOD => to(self.rename(params(r)?)),
            _ => {
                Err(Failure { code: ErrorCode::MethodNotFound as i32, message: format!("unknown method {}", r.method) })
            }
        }
    }

    fn initialize(&mut self, p: lsp_types::InitializeParams) -> lsp_types::InitializeResult {
        use lsp_types::*;
        self.initialized = true;
        let offered = p.capabilities.general.as_ref().and_then(|g| g.position_encodings.clone()).unwrap_or_default();
        self.enc = Encoding::choose(&offered);
        #[allow(deprecated)] // root_uri and root_path: older clients send only these
        let root = p
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(p.root_uri.clone())
            .and_then(|u| uri_path(&u))
            .or(p.root_path.clone().map(PathBuf::from));
        if let Some(root) = root {
            self.root = Some(crate::repo::Repo::discover(&root).root().to_path_buf());
        }
        self.watch_registration = p
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let text = p.capabilities.text_document.as_ref();
        let reads = |formats: Option<&Vec<MarkupKind>>| formats.is_some_and(|f| f.contains(&MarkupKind::Markdown));
        self.markdown = (
            reads(text.and_then(|t| t.hover.as_ref()).and_then(|h| h.content_format.as_ref())),
            reads(
                text.and_then(|t| t.completion.as_ref())
                    .and_then(|c| c.completion_item.as_ref())
                    .and_then(|i| i.documentation_format.as_ref()),
            ),
        );
        self.resolves_actions = text
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(self.enc.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    resolve_provider: Some(true),
                    trigger_characters: Some(["@", "{", "<", ",", "\""].map(String::from).to_vec()),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    resolve_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "citelock".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
        }
    }

    fn notification(&mut self, n: Notification) -> std::io::Result<()> {
        fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
            serde_json::from_value(n.params).map_err(|e| eprintln!("citelock lsp: {}: {e}", n.method)).ok()
        }
        match n.method.as_str() {
            note::Initialized::METHOD => return self.register_watchers(),
            note::DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) {
                    self.open(p.text_document.uri, p.text_document.text, p.text_document.version);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) {
                    let key = p.text_document.uri.as_str().to_owned();
                    if let Some(doc) = self.docs.get_mut(&key) {
                        // Versions only grow; a late change is older than what we hold.
                        if p.text_document.version > doc.version {
                            doc.apply(p.content_changes, self.enc);
                            doc.version = p.text_document.version;
                            let kind = doc.kind;
                            self.changed(&key, kind);
                        } else {
                            eprintln!(
                                "citelock lsp: ignored change of {key} to version {} (have {})",
                                p.text_document.version, doc.version
                            );
                        }
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => self.stamped = None,
            note::DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n) {
                    let key = p.text_document.uri.as_str().to_owned();
                    let closed = self.docs.remove(&key);
                    self.analyses.remove(&key);
                    self.pending.remove(&key);
                    if closed.is_some_and(|d| d.kind == Kind::References) {
                        self.recheck_all();
                    }
                    return self.notify::<note::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
                        uri: p.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                self.stamped = None;
                self.forget = true;
                self.recheck_all();
            }
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to tell us when the references, the archive or the
    /// config change (where it can register watchers).
    fn register_watchers(&mut self) -> std::io::Result<()> {
        use lsp_types::*;
        if !self.watch_registration {
            return Ok(());
        }
        let watchers =
            ["**/references/**", "**/archive/captures/**", "**/archive/manifest-sha256.txt", "**/citelock.toml"]
                .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g.into()), kind: None })
                .to_vec();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "citelock-files".into(),
            method: note::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("citelock-{}", self.next_id)),
            req::RegisterCapability::METHOD.into(),
            RegistrationParams { registrations: vec![registration] },
        );
        self.send(Message::Request(request))
    }

    /// A document opened.
    fn open(&mut self, uri: Uri, text: String, version: i32) {
        let Some(path) = uri_path(&uri) else {
            eprintln!("citelock lsp: not a file URI, not checked: {}", uri.as_str());
            return;
        };
        let root = self.root.clone().unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
        let name = crate::findings::relative_path(&root, &path);
        let kind = kind_of(&name, &path);
        let key = uri.as_str().to_owned();
        self.docs.insert(key.clone(), Document { uri, path, name, text, version, kind });
        self.changed(&key, kind);
        self.pending.insert(key, Instant::now());
    }

    fn changed(&mut self, key: &str, kind: Kind) {
        self.analyses.remove(key);
        self.pending.insert(key.to_owned(), Instant::now() + DEBOUNCE);
        if kind == Kind::References {
            // Other documents cite what this one defines: reload now.
            self.stamped = None;
            self.recheck_all();
        }
    }

    fn recheck_all(&mut self) {
        self.analyses.clear();
        let due = Instant::now() + DEBOUNCE;
        for key in self.docs.keys() {
            self.pending.entry(key.clone()).or_insert(due);
        }
    }

    /// Publishes diagnostics for every document whose pause is over: a
    /// references file's at once, a report's once the checker has it (those
    /// already checked at their version at once).
    fn publish_due(&mut self) -> std::io::Result<()> {
        let now = Instant::now();
        let due: Vec<String> = self.pending.iter().filter(|(_, t)| **t <= now).map(|(k, _)| k.clone()).collect();
        for key in due {
            self.pending.remove(&key);
            let Some(doc) = self.docs.get(&key) else { continue };
            if doc.kind == Kind::References {
                let name = doc.name.clone();
                let findings = match catch_unwind(AssertUnwindSafe(|| self.world().map(|w| w.lint(&name)))) {
                    Ok(f) => f.unwrap_or_default(),
                    Err(_) => {
                        eprintln!("citelock lsp: linting {name} failed");
                        continue;
                    }
                };
                self.publish(&key, &findings)?;
            } else if self.current(&key) {
                let findings = self.analyses[&key].1.findings.clone();
                self.publish(&key, &findings)?;
            } else {
                self.check(&key);
            }
        }
        Ok(())
    }

    /// The findings published as the document's diagnostics, at its version.
    fn publish(&mut self, key: &str, findings: &[crate::findings::Finding]) -> std::io::Result<()> {
        let Some(doc) = self.docs.get(key) else { return Ok(()) };
        let root = self.root.clone().unwrap_or_default();
        let lines = super::position::Lines::new(&doc.text);
        let diagnostics: Vec<Diagnostic> =
            findings.iter().map(|f| super::features::diagnostic(f, &doc.text, &lines, self.enc, &root)).collect();
        let (uri, version) = (doc.uri.clone(), doc.version);
        self.notify::<note::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: Some(version),
        })
    }

    /// Whether the report's analysis is of its current version.
    fn current(&self, key: &str) -> bool {
        let version = self.docs.get(key).map(|d| d.version);
        self.analyses.get(key).is_some_and(|(v, _)| Some(*v) == version)
    }

    /// Hands the report at its current version to the checker, unless it has it.
    fn check(&mut self, key: &str) {
        if self.world().is_none() {
            return;
        }
        let (Some(doc), Some(world)) = (self.docs.get(key), self.world.clone()) else { return };
        let Kind::Report(syntax) = doc.kind else { return };
        if self.checking.get(key) == Some(&doc.version) {
            return;
        }
        self.checking.insert(key.to_owned(), doc.version);
        let forget = std::mem::take(&mut self.forget);
        let job = Job { key: key.to_owned(), doc: doc.clone(), syntax, world, forget, generation: self.generation };
        let _ = self.checker.send(job);
    }

    /// A check done: kept and published if it is of the report as it is
    /// now, else the report is checked again.
    fn checked(&mut self, c: Checked) -> std::io::Result<()> {
        if self.checking.get(&c.key) == Some(&c.version) {
            self.checking.remove(&c.key);
        }
        let Some(doc) = self.docs.get(&c.key) else { return Ok(()) };
        let Some(analysis) = c.analysis else { return Ok(()) };
        if doc.version != c.version || c.generation != self.generation {
            if !self.pending.contains_key(&c.key) && !self.checking.contains_key(&c.key) {
                self.pending.insert(c.key, Instant::now());
            }
            return Ok(());
        }
        let findings = analysis.findings.clone();
        self.analyses.insert(c.key.clone(), (c.version, analysis));
        self.publish(&c.key, &findings)
    }

    /// The repository, reloaded when its files changed.
    pub(super) fn world(&mut self) -> Option<&World> {
        let root = self.root.clone()?;
        let look = self.stamped.is_none_or(|t| t.elapsed() >= RESTAMP);
        let reload = match &self.world {
            None => true,
            Some(w) => look && w.stale(&self.docs),
        };
        if look {
            self.stamped = Some(Instant::now());
        }
        if reload {
            // The archive may have changed with the rest: read it afresh.
            self.forget = true;
            self.generation += 1;
            let had = self.world.is_some();
            self.world = Some(Arc::new(World::load(&root, &self.docs)));
            self.analyses.clear();
            if had {
                self.recheck_all();
            }
        }
        self.world.as_deref()
    }

    /// A report's analysis for its current version: a request that needs
    /// it waits for the checker, and the messages that come meanwhile are
    /// handled after it.
    pub(super) fn analysis(&mut self, key: &str) -> Option<&Analysis> {
        self.world()?;
        if !matches!(self.docs.get(key)?.kind, Kind::Report(_)) {
            return None;
        }
        while !self.current(key) {
            self.check(key);
            if !self.checking.contains_key(key) {
                return None;
            }
            match self.inbox.recv() {
                Ok(Incoming::Checked(c)) => {
                    let failed = c.key == key && c.analysis.is_none();
                    if self.checked(*c).is_err() || failed {
                        return None;
                    }
                }
                Ok(other) => self.deferred.push_back(other),
                Err(_) => return None,
            }
        }
        self.analyses.get(key).map(|(_, a)| a)
    }

    /// The key of an open document a request names.
    pub(super) fn document(&self, uri: &Uri) -> Result<String, Failure> {
        match self.docs.contains_key(uri.as_str()) {
            true => Ok(uri.as_str().to_owned()),
            false => Err(Failure::invalid(format!("{} is not open (send textDocument/didOpen first)", uri.as_str()))),
        }
    }

    /// The repository root.
    pub(super) fn root(&self) -> PathBuf {
        self.root.clone().unwrap_or_default()
    }
}
