//! The oracle client against small stand-in runners that crash, hang or misbehave on purpose:
//! every question is answered once, in order, across restarts.
#![expect(
    clippy::unwrap_used,
    reason = "test set-up fails the test by panicking"
)]

use std::path::PathBuf;
use std::time::Duration;

use scpcheck_oracle::{
    Oracle, OracleAnswer, OracleCommand, OracleError, OracleOptions, OracleRequest,
};
use scpcheck_policy::Decision;

/// A stand-in runner: answers `Deny` for the action `deny:Me` and `Allow` otherwise. Its mode
/// makes it misbehave after `after` questions: `crash` exits, `hang` stops answering, both only
/// in the first process started (a marker file records that one ran); `always` exits every
/// time; `normal` never misbehaves.
const FAKE_RUNNER: &str = r#"
import { existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const [mode, after, marker] = process.argv.slice(2);
const first = !existsSync(marker);
if (first) writeFileSync(marker, 'ran');
process.stdout.write(JSON.stringify({ hello: { node: process.version, simulate: 'fake' } }) + '\n');
let seen = 0;
let hung = false;
createInterface({ input: process.stdin }).on('line', (line) => {
  const question = JSON.parse(line);
  seen += 1;
  const misbehaves = mode === 'always' || (first && mode !== 'normal');
  if (hung || (misbehaves && seen > Number(after))) {
    if (mode === 'hang') {
      hung = true;
      setInterval(() => {}, 1000);
      return;
    }
    process.stderr.write('fake runner gives up\n');
    process.exit(3);
  }
  const result = question.action === 'deny:Me' ? 'ExplicitlyDenied' : 'Allowed';
  process.stdout.write(JSON.stringify({ id: question.id, result, control: 'Allowed' }) + '\n');
});
"#;

/// A scratch directory holding the stand-in runner, removed at the end.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "scpcheck-oracle-client-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("fake.mjs"), FAKE_RUNNER).unwrap();
        Scratch { dir }
    }

    fn command(&self, mode: &str, after: u32) -> OracleCommand {
        let mut command = OracleCommand::node_script(&self.dir, "fake.mjs");
        command.args.push(mode.into());
        command.args.push(after.to_string().into());
        command.args.push(self.dir.join("marker").into());
        command
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn options(processes: usize) -> OracleOptions {
    OracleOptions {
        processes,
        answer_timeout: Duration::from_secs(2),
        start_timeout: Duration::from_secs(30),
        max_in_flight: 64,
        max_restarts: 3,
    }
}

fn request(index: usize) -> OracleRequest {
    let action = if index.is_multiple_of(3) {
        "deny:Me"
    } else {
        "s3:GetObject"
    };
    OracleRequest {
        principal: "arn:aws:iam::111122223333:role/Member".into(),
        account: "111122223333".into(),
        action: action.into(),
        resource: format!("arn:aws:s3:::bucket/{index}"),
        context: serde_json::Map::new(),
        levels: Vec::new(),
        policies: None,
    }
}

fn expected(index: usize) -> OracleAnswer {
    if index.is_multiple_of(3) {
        OracleAnswer::Scp(Decision::Deny)
    } else {
        OracleAnswer::Scp(Decision::Allow)
    }
}

fn ask_many(oracle: &mut Oracle, count: usize) -> Result<Vec<OracleAnswer>, OracleError> {
    let requests: Vec<OracleRequest> = (0..count).map(request).collect();
    oracle.ask_all(&requests)
}

fn assert_all_answered(answers: &[OracleAnswer], count: usize) {
    assert_eq!(answers.len(), count);
    for (index, answer) in answers.iter().enumerate() {
        assert_eq!(*answer, expected(index), "answer {index}");
    }
}

#[test]
fn answers_come_back_in_question_order_from_several_processes() {
    let scratch = Scratch::new("order");
    let mut oracle = Oracle::start(scratch.command("normal", 0), options(2)).unwrap();
    assert_eq!(oracle.processes(), 2);
    assert_eq!(oracle.package_version(), "fake");
    let answers = ask_many(&mut oracle, 500).unwrap();
    assert_all_answered(&answers, 500);
    assert_eq!(oracle.restarts(), 0);
}

#[test]
fn a_crashed_process_is_restarted_and_no_answer_is_lost() {
    let scratch = Scratch::new("crash");
    let mut oracle = Oracle::start(scratch.command("crash", 40), options(1)).unwrap();
    let answers = ask_many(&mut oracle, 300).unwrap();
    assert_all_answered(&answers, 300);
    assert_eq!(oracle.restarts(), 1);
}

#[test]
fn a_hung_process_is_killed_and_its_questions_asked_again() {
    let scratch = Scratch::new("hang");
    let mut oracle = Oracle::start(scratch.command("hang", 25), options(1)).unwrap();
    let answers = ask_many(&mut oracle, 100).unwrap();
    assert_all_answered(&answers, 100);
    assert_eq!(oracle.restarts(), 1);
}

#[test]
fn a_process_that_keeps_crashing_is_given_up_with_its_error_output() {
    let scratch = Scratch::new("always");
    let mut oracle = Oracle::start(scratch.command("always", 0), options(1)).unwrap();
    let error = ask_many(&mut oracle, 50).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, OracleError::Unresponsive { restarts: 3, .. }),
        "{message}"
    );
    assert!(message.contains("fake runner gives up"), "{message}");
}

#[test]
fn a_runner_that_does_not_greet_is_reported() {
    let scratch = Scratch::new("silent");
    std::fs::write(scratch.dir.join("silent.mjs"), "console.log('not json');").unwrap();
    let command = OracleCommand::node_script(&scratch.dir, "silent.mjs");
    let error = Oracle::start(command, options(1)).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("the oracle did not start: ") && message.contains("not json"),
        "{message}"
    );
}

#[test]
fn a_missing_program_is_reported() {
    let scratch = Scratch::new("missing");
    let mut command = scratch.command("normal", 0);
    command.program = "scpcheck-no-such-node".into();
    let error = Oracle::start(command, options(1)).unwrap_err();
    assert!(error.is_unavailable());
    assert!(
        error
            .to_string()
            .contains("`scpcheck-no-such-node fake.mjs"),
        "{error}"
    );
}
