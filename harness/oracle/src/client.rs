//! The oracle processes: long-lived children answering JSON lines, with many questions in
//! flight.
//!
//! Several children answer in parallel, since the oracle spends a millisecond or more on each
//! question. For each child a writer thread feeds its stdin and a reader thread forwards its
//! stdout to one channel, so the caller never blocks on a full pipe while a child is blocked on
//! the other one. A child that exits or stops answering is killed and started again, and every
//! question it had not answered is asked again: no answer is lost.

use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::OracleError;
use crate::protocol::{Envelope, Hello, Line, OracleAnswer, OracleRequest};

/// How to start a runner: program, arguments, working directory and extra environment.
#[derive(Debug, Clone)]
pub struct OracleCommand {
    /// The program, e.g. `node`.
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// The working directory.
    pub dir: PathBuf,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
}

impl OracleCommand {
    /// `node SCRIPT` in `dir`, with the time zone set to UTC so that a date without a zone is
    /// read the same way by the runner and by the evaluator under test.
    pub fn node_script(dir: &Path, script: &str) -> OracleCommand {
        OracleCommand {
            program: "node".into(),
            args: vec![script.into()],
            dir: dir.to_path_buf(),
            env: vec![("TZ".into(), "UTC".into())],
        }
    }
}

/// Limits of the conversation with the children.
#[derive(Debug, Clone, Copy)]
pub struct OracleOptions {
    /// How many runner processes answer in parallel.
    pub processes: usize,
    /// The longest wait for the next answer before the children with questions count as hung.
    pub answer_timeout: Duration,
    /// The longest wait for the greeting of a newly started child.
    pub start_timeout: Duration,
    /// How many questions may be written before their answers are read, over all children.
    pub max_in_flight: usize,
    /// How many failures in a row without a single new answer are tolerated.
    pub max_restarts: u32,
}

impl Default for OracleOptions {
    /// One process per available CPU, at most four.
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        OracleOptions {
            processes: cpus.clamp(1, 4),
            answer_timeout: Duration::from_secs(30),
            start_timeout: Duration::from_secs(60),
            max_in_flight: 2048,
            max_restarts: 3,
        }
    }
}

/// Running oracle processes that answer questions in parallel.
pub struct Oracle {
    command: OracleCommand,
    options: OracleOptions,
    children: Vec<Running>,
    events: Receiver<Event>,
    events_sender: Sender<Event>,
    hello: Hello,
    next_id: u64,
    next_generation: u64,
    restarts: u32,
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pids: Vec<u32> = self.children.iter().map(|child| child.child.id()).collect();
        f.debug_struct("Oracle")
            .field("command", &self.command)
            .field("pids", &pids)
            .field("restarts", &self.restarts)
            .finish_non_exhaustive()
    }
}

/// A line from a child, or the end of its output; `generation` names the child.
struct Event {
    generation: u64,
    kind: EventKind,
}

enum EventKind {
    Line(String),
    Closed,
}

/// One started child with its threads.
struct Running {
    generation: u64,
    child: Child,
    to_writer: Option<Sender<String>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    threads: Vec<JoinHandle<()>>,
}

/// Lines of a child's error output kept for error messages.
const STDERR_LINES_KEPT: usize = 20;

/// Where a question in flight came from, which child has it, and whether it asks about every
/// policy type.
struct InFlight {
    index: usize,
    generation: u64,
    overall: bool,
}

impl Oracle {
    /// Starts the runners and waits for their greetings.
    pub fn start(command: OracleCommand, options: OracleOptions) -> Result<Oracle, OracleError> {
        let (events_sender, events) = mpsc::channel();
        let mut children = Vec::with_capacity(options.processes.max(1));
        let mut hello = None;
        for generation in 0..options.processes.max(1) as u64 {
            let (running, greeting) =
                Running::start(&command, generation, &events_sender, options.start_timeout)?;
            children.push(running);
            hello.get_or_insert(greeting);
        }
        let hello = hello.ok_or_else(|| OracleError::Start {
            detail: "no process was started".to_owned(),
        })?;
        tracing::debug!(
            node = %hello.node,
            package = %hello.simulate,
            processes = children.len(),
            "oracle started"
        );
        Ok(Oracle {
            next_generation: children.len() as u64,
            command,
            options,
            children,
            events,
            events_sender,
            hello,
            next_id: 0,
            restarts: 0,
        })
    }

    /// The Node.js version the runner reported.
    pub fn node_version(&self) -> &str {
        &self.hello.node
    }

    /// The package version the runner loaded.
    pub fn package_version(&self) -> &str {
        &self.hello.simulate
    }

    /// How many runner processes answer.
    pub fn processes(&self) -> usize {
        self.children.len()
    }

    /// How many times a child was restarted so far.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Asks one question.
    pub fn ask(&mut self, request: &OracleRequest) -> Result<OracleAnswer, OracleError> {
        let answers = self.ask_all(std::slice::from_ref(request))?;
        answers
            .into_iter()
            .next()
            .ok_or_else(|| OracleError::Protocol {
                detail: "no answer to a question".to_owned(),
            })
    }

    /// Asks every question, keeping up to `max_in_flight` of them in the pipes at once spread
    /// over the children, and returns the answers in the order of the questions.
    pub fn ask_all(
        &mut self,
        requests: &[OracleRequest],
    ) -> Result<Vec<OracleAnswer>, OracleError> {
        let mut answers: Vec<Option<OracleAnswer>> = vec![None; requests.len()];
        let mut waiting: VecDeque<usize> = (0..requests.len()).collect();
        let mut in_flight: HashMap<u64, InFlight> = HashMap::new();
        let mut unanswered = requests.len();
        let mut failures_without_progress = 0;
        while unanswered > 0 {
            self.send_waiting(requests, &mut waiting, &mut in_flight)?;
            let failed: Vec<u64> = match self.events.recv_timeout(self.options.answer_timeout) {
                Ok(Event {
                    kind: EventKind::Line(line),
                    ..
                }) => {
                    if self.record(&line, &mut in_flight, &mut answers)? {
                        unanswered -= 1;
                        failures_without_progress = 0;
                    }
                    continue;
                }
                Ok(Event {
                    generation,
                    kind: EventKind::Closed,
                }) => vec![generation],
                // Limitation: a timeout does not tell which child hung, so every child with a
                // question in flight is restarted and its questions are asked again; the
                // answers stay complete, only the healthy children's work is repeated.
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    in_flight.values().map(|flight| flight.generation).collect()
                }
            };
            let failed: Vec<u64> = self
                .children
                .iter()
                .map(|child| child.generation)
                .filter(|generation| failed.contains(generation))
                .collect();
            if failed.is_empty() {
                continue;
            }

            failures_without_progress += 1;
            let detail = self.failure_detail(&failed);
            if failures_without_progress > self.options.max_restarts {
                return Err(OracleError::Unresponsive {
                    restarts: self.options.max_restarts,
                    detail,
                });
            }
            tracing::warn!(%detail, in_flight = in_flight.len(), "restarting the oracle");
            for generation in failed {
                self.restart(generation)?;
                requeue(&mut in_flight, &mut waiting, generation);
            }
        }
        Ok(answers.into_iter().flatten().collect())
    }

    fn send_waiting(
        &mut self,
        requests: &[OracleRequest],
        waiting: &mut VecDeque<usize>,
        in_flight: &mut HashMap<u64, InFlight>,
    ) -> Result<(), OracleError> {
        let per_child = (self.options.max_in_flight / self.children.len().max(1)).max(1);
        for child in &self.children {
            let mut load = in_flight
                .values()
                .filter(|flight| flight.generation == child.generation)
                .count();
            while load < per_child {
                let Some(index) = waiting.pop_front() else {
                    return Ok(());
                };
                let Some(request) = requests.get(index) else {
                    continue;
                };
                let id = self.next_id;
                self.next_id += 1;
                let line = serde_json::to_string(&Envelope { id, request }).map_err(|error| {
                    OracleError::Protocol {
                        detail: format!("cannot encode a question: {error}"),
                    }
                })?;
                in_flight.insert(
                    id,
                    InFlight {
                        index,
                        generation: child.generation,
                        overall: request.policies.is_some(),
                    },
                );
                load += 1;
                // A closed pipe shows up as the child's output closing; the question is then
                // asked again, so a failed send needs no handling here.
                child.send(line);
            }
        }
        Ok(())
    }

    /// Records one answer line; whether it answered a question still waiting for one.
    fn record(
        &mut self,
        line: &str,
        in_flight: &mut HashMap<u64, InFlight>,
        answers: &mut [Option<OracleAnswer>],
    ) -> Result<bool, OracleError> {
        let protocol = |detail: String| OracleError::Protocol {
            detail: format!("{detail} in `{}`", shorten(line)),
        };
        let raw = match serde_json::from_str::<Line>(line) {
            Ok(Line::Answer(raw)) => raw,
            Ok(Line::Hello { .. }) => return Ok(false),
            Err(error) => return Err(protocol(error.to_string())),
        };
        let Some(flight) = raw.id.and_then(|id| in_flight.remove(&id)) else {
            return Ok(false);
        };
        let answer = raw.into_answer(flight.overall).map_err(protocol)?;
        if let Some(slot) = answers.get_mut(flight.index) {
            *slot = Some(answer);
        }
        Ok(true)
    }

    fn failure_detail(&mut self, failed: &[u64]) -> String {
        let timeout = self.options.answer_timeout.as_secs_f64();
        let details: Vec<String> = self
            .children
            .iter_mut()
            .filter(|child| failed.contains(&child.generation))
            .map(|child| {
                let state = match child.child.try_wait() {
                    Ok(Some(status)) => format!("exited ({status})"),
                    _ => format!("gave no answer within {timeout}s"),
                };
                format!(
                    "oracle process {} {state}{}",
                    child.child.id(),
                    child.stderr_summary()
                )
            })
            .collect();
        details.join("; ")
    }

    fn restart(&mut self, generation: u64) -> Result<(), OracleError> {
        let Some(slot) = self
            .children
            .iter()
            .position(|child| child.generation == generation)
        else {
            return Ok(());
        };
        let new_generation = self.next_generation;
        self.next_generation += 1;
        let (running, hello) = Running::start(
            &self.command,
            new_generation,
            &self.events_sender,
            self.options.start_timeout,
        )?;
        if let Some(old) = self.children.get_mut(slot) {
            old.stop();
            *old = running;
        }
        self.hello = hello;
        self.restarts += 1;
        Ok(())
    }
}

/// Puts the questions a failed child had back at the front of the queue, in their order.
fn requeue(in_flight: &mut HashMap<u64, InFlight>, waiting: &mut VecDeque<usize>, generation: u64) {
    let lost_ids: Vec<u64> = in_flight
        .iter()
        .filter(|(_, flight)| flight.generation == generation)
        .map(|(id, _)| *id)
        .collect();
    let mut lost: Vec<usize> = lost_ids
        .iter()
        .filter_map(|id| in_flight.remove(id))
        .map(|flight| flight.index)
        .collect();
    lost.sort_unstable();
    for index in lost.into_iter().rev() {
        waiting.push_front(index);
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        for child in &mut self.children {
            child.stop();
        }
    }
}

impl Running {
    fn start(
        command: &OracleCommand,
        generation: u64,
        events: &Sender<Event>,
        timeout: Duration,
    ) -> Result<(Running, Hello), OracleError> {
        let mut child = Command::new(&command.program)
            .args(&command.args)
            .current_dir(&command.dir)
            .envs(command.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| start_error(command, &error.to_string()))?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(stdin), Some(stdout), Some(stderr)) => (stdin, stdout, stderr),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(start_error(command, "its pipes could not be opened"));
                }
            };

        let (to_writer, writer_input) = mpsc::channel();
        let (greeting_sender, greeting) = mpsc::channel();
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let reader = Reader {
            generation,
            greeting: greeting_sender,
            events: events.clone(),
        };
        let threads = vec![
            std::thread::spawn(move || write_lines(stdin, &writer_input)),
            std::thread::spawn(move || reader.run(stdout)),
            std::thread::spawn({
                let tail = Arc::clone(&stderr_tail);
                move || keep_tail(stderr, &tail)
            }),
        ];
        let mut running = Running {
            generation,
            child,
            to_writer: Some(to_writer),
            stderr_tail,
            threads,
        };
        let detail = match greeting.recv_timeout(timeout) {
            Ok(Some(line)) => match serde_json::from_str::<Line>(&line) {
                Ok(Line::Hello { hello }) => return Ok((running, hello)),
                _ => format!("expected a greeting, got `{}`", shorten(&line)),
            },
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                "it exited before greeting".to_owned()
            }
            Err(RecvTimeoutError::Timeout) => {
                format!("it did not greet within {}s", timeout.as_secs_f64())
            }
        };
        let detail = format!("{detail}{}", running.stderr_summary());
        running.stop();
        Err(start_error(command, &detail))
    }

    fn send(&self, line: String) {
        if let Some(to_writer) = &self.to_writer {
            let _ = to_writer.send(line);
        }
    }

    /// The child's last error output, as `; its error output: line / line` or nothing.
    fn stderr_summary(&self) -> String {
        // The error output may still be arriving when the process has just exited.
        std::thread::sleep(Duration::from_millis(20));
        let tail = match self.stderr_tail.lock() {
            Ok(tail) => tail.iter().cloned().collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        };
        if tail.is_empty() {
            String::new()
        } else {
            format!("; its error output: {}", tail.join(" / "))
        }
    }

    /// Closes the child's input, kills it if it is still running, and joins the threads.
    fn stop(&mut self) {
        self.to_writer = None;
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Reads a child's output: the greeting first, then answers for the shared event channel.
struct Reader {
    generation: u64,
    greeting: Sender<Option<String>>,
    events: Sender<Event>,
}

impl Reader {
    fn run(self, stdout: impl std::io::Read) {
        let mut lines = BufReader::with_capacity(1 << 16, stdout)
            .lines()
            .map_while(Result::ok)
            .filter(|line| !line.trim().is_empty());
        let greeting = lines.next();
        let greeted = greeting.is_some();
        let _ = self.greeting.send(greeting);
        if greeted {
            for line in lines {
                let event = Event {
                    generation: self.generation,
                    kind: EventKind::Line(line),
                };
                if self.events.send(event).is_err() {
                    return;
                }
            }
        }
        let _ = self.events.send(Event {
            generation: self.generation,
            kind: EventKind::Closed,
        });
    }
}

fn start_error(command: &OracleCommand, detail: &str) -> OracleError {
    let program = command.program.to_string_lossy();
    let args: Vec<String> = command
        .args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    OracleError::Start {
        detail: format!(
            "`{program} {}` in `{}`: {detail}",
            args.join(" "),
            command.dir.display()
        ),
    }
}

/// Writes each line it receives; flushes whenever no further line is waiting.
fn write_lines(stdin: ChildStdin, lines: &Receiver<String>) {
    let mut writer = BufWriter::with_capacity(1 << 16, stdin);
    while let Ok(line) = lines.recv() {
        let mut next = Some(line);
        while let Some(line) = next {
            if writeln!(writer, "{line}").is_err() {
                return;
            }
            next = lines.try_recv().ok();
        }
        if writer.flush().is_err() {
            return;
        }
    }
}

fn keep_tail(stderr: impl std::io::Read, tail: &Mutex<VecDeque<String>>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else {
            break;
        };
        tracing::debug!(target: "scpcheck_oracle::runner", "{line}");
        if let Ok(mut tail) = tail.lock() {
            if tail.len() == STDERR_LINES_KEPT {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    }
}

fn shorten(line: &str) -> String {
    const LIMIT: usize = 200;
    match line.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{}…", line.get(..at).unwrap_or(line)),
        None => line.to_owned(),
    }
}
