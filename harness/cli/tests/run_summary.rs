//! `scpcheck run` as the built binary, mostly with `--target reference`: what its summary and
//! `results.json` say about an interrupted run, the cases the summary leaves out, and accepted
//! gaps that no case needed.
#![expect(
    clippy::unwrap_used,
    reason = "a binary that cannot be run, or that a signal ends, fails the test"
)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use scpcheck_cli::exit_codes;

/// The repository root, where the bundled `scenarios/` and `policies/` are.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory for one test's `--out`.
fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scpcheck_run(args: &[&str]) -> Command {
    scpcheck_run_against("reference", args)
}

fn scpcheck_run_against(target: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scpcheck"));
    command
        .args(["run", "--target", target])
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG");
    command
}

/// Waits until `child` catches SIGINT, as it does once its stop-signal handlers are set up: a
/// signal sent before would end it at once, without results, whatever it was doing.
fn wait_for_signal_handlers(child: &Child) {
    const SIGINT_BIT: u64 = 1 << (2 - 1);
    let status_file = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = std::fs::read_to_string(&status_file).unwrap();
        let caught = status
            .lines()
            .find_map(|line| line.strip_prefix("SigCgt:"))
            .map(|mask| u64::from_str_radix(mask.trim(), 16).unwrap())
            .unwrap();
        if caught & SIGINT_BIT != 0 {
            return;
        }
        assert!(Instant::now() < deadline, "no SIGINT handler after 60 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn interrupt(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

fn run(args: &[&str]) -> Output {
    scpcheck_run(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn results_json(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn an_interrupted_run_says_which_operations_are_incomplete_or_not_run() {
    let dir = out_dir("run-summary-interrupted");
    let out = dir.to_str().unwrap();
    // 100,000 cases for each of the 11 bundled operations take far longer than the second
    // this test waits before stopping the run.
    let mut child = scpcheck_run(&["--cases", "100000", "--seed", "1", "--out", out])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    reader.read_line(&mut first_line).unwrap();
    assert!(
        first_line.starts_with("scpcheck run: seed 1"),
        "{first_line}"
    );
    // The first line comes before the signal handlers are set up; they are ready within
    // milliseconds after it.
    std::thread::sleep(Duration::from_secs(1));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();

    assert_eq!(status.code(), Some(exit_codes::INTERRUPTED), "{rest}");
    assert!(
        rest.contains("\ninterrupted: the results are partial\n"),
        "{rest}"
    );
    let results = results_json(&dir);
    assert_eq!(results["interrupted"], true);
    let scenarios = results["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 11, "every operation is listed, run or not");
    let last = scenarios.last().unwrap();
    assert_eq!(last["complete"], false);
    assert_eq!(last["cases"].as_array().unwrap().len(), 0);
    // Each operation cut short has its line: how far it got, or that it did not run.
    for scenario in scenarios
        .iter()
        .filter(|scenario| scenario["complete"] == false)
    {
        let name = format!(
            "{} {}",
            scenario["id"].as_str().unwrap(),
            scenario["operation"].as_str().unwrap()
        );
        let ran = scenario["cases"].as_array().unwrap().len();
        let line = if ran == 0 {
            format!("\n  not run: {name}\n")
        } else {
            assert!(ran < 100_000, "{name}: {ran} cases ran");
            format!("\n  incomplete: {name} ({ran} cases ran)\n")
        };
        assert!(rest.contains(&line), "{line:?} in {rest}");
    }
}

#[test]
fn a_whole_run_is_marked_complete() {
    let dir = out_dir("run-summary-complete");
    let output = run(&[
        "--cases",
        "40",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(exit_codes::SUCCESS), "{text}");
    assert!(!text.contains("interrupted"), "{text}");

    let results = results_json(&dir);
    assert_eq!(results["interrupted"], false);
    for scenario in results["scenarios"].as_array().unwrap() {
        assert_eq!(scenario["complete"], true, "{}", scenario["id"]);
    }

    // Each denied case names what denied it; an allowed case names nothing.
    let volumes = results["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|scenario| scenario["operation"] == "ec2:CreateVolume")
        .unwrap();
    let mut denied = 0;
    for case in volumes["cases"].as_array().unwrap() {
        if case["reference"] == "deny" && case["params"]["encrypted"] == false {
            denied += 1;
            assert_eq!(
                case["reference_denied_by"],
                serde_json::json!([
                    "volume: statement `DenyUnencryptedEc2Storage` of `deny-unencrypted-ec2` at \
                     organizational unit `ou-tenants`"
                ]),
                "{case}"
            );
        }
        if case["reference"] == "allow" {
            assert!(case.get("reference_denied_by").is_none(), "{case}");
        }
    }
    assert!(denied > 0, "no unencrypted volume among {volumes}");
}

/// A scenario that accepts no gap where the bundled SCPs have one, with many distinct failing
/// parameter combinations.
const UNACCEPTED_GAPS: &str = "harness/cli/tests/data/run-unaccepted-gaps";
const OUT_HINT: &str = "`--out DIR` writes every case to results.json";

#[test]
fn the_summary_suggests_out_only_when_it_was_not_given() {
    let dir = out_dir("run-summary-out-hint");
    let with_out = run(&[
        "--scenarios",
        UNACCEPTED_GAPS,
        "--seed",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let text = stdout(&with_out);
    assert_eq!(
        with_out.status.code(),
        Some(exit_codes::CONFORMANCE_FAILURE)
    );
    assert!(
        text.contains("  s3-put-object-known-header s3:PutObject: 6 more combinations (6 cases)\n"),
        "{text}"
    );
    assert!(!text.contains(OUT_HINT), "{text}");

    let without_out = run(&["--scenarios", UNACCEPTED_GAPS, "--seed", "5"]);
    let text = stdout(&without_out);
    let counted = "  s3-put-object-known-header s3:PutObject: 6 more combinations (6 cases)";
    assert!(text.contains(&format!("{counted}; {OUT_HINT}\n")), "{text}");
}

#[test]
fn an_accepted_gap_that_no_case_needed_is_a_warning() {
    let scenarios = "harness/cli/tests/data/run-unneeded-gap";
    let output = run(&["--scenarios", scenarios, "--seed", "5"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(exit_codes::SUCCESS), "{text}");
    let warning = format!(
        "\nwarning: {scenarios}/s3-get-object-over-https.toml: s3:GetObject: the accepted gap \
         `transport == \"https\"` matched no policy gap in 32 cases\n"
    );
    let table_end = text.find("\ntotal ").unwrap();
    let warned = text.find(&warning);
    assert!(warned.is_some_and(|at| at > table_end), "{text}");
}

#[test]
fn a_run_interrupted_during_start_up_writes_results_where_nothing_ran() {
    let dir = out_dir("run-summary-interrupted-start-up");
    std::fs::create_dir_all(&dir).unwrap();
    // What an earlier run left: it must not outlive this run and pass for its results.
    std::fs::write(dir.join("results.json"), "{\"interrupted\": false}\n").unwrap();
    // An emulator that takes connections and never answers keeps start-up waiting on its
    // health check, which gives up only after seconds, so the signal comes during start-up
    // however slow the machine is.
    let silent_emulator = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent_emulator.local_addr().unwrap());
    let args = [
        "--emulator-url",
        &url,
        "--seed",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ];
    let child = scpcheck_run_against("emulator", &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_signal_handlers(&child);
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    drop(silent_emulator);
    let text = stdout(&output);

    assert_eq!(
        output.status.code(),
        Some(exit_codes::INTERRUPTED),
        "{text}"
    );
    assert!(
        text.contains("\ninterrupted: the results are partial\n"),
        "{text}"
    );
    assert!(!text.contains("warning:"), "{text}");
    let results = results_json(&dir);
    assert_eq!(results["interrupted"], true);
    let scenarios = results["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 11, "every operation is listed, none run");
    for scenario in scenarios {
        let name = format!(
            "{} {}",
            scenario["id"].as_str().unwrap(),
            scenario["operation"].as_str().unwrap()
        );
        assert_eq!(scenario["complete"], false, "{name}");
        assert_eq!(scenario["cases"], serde_json::json!([]), "{name}");
        assert!(scenario.get("unneeded_accepted_gaps").is_none(), "{name}");
        assert!(
            text.contains(&format!("\n  not run: {name}\n")),
            "{name} in {text}"
        );
    }
}

#[test]
fn an_operation_cut_short_warns_of_no_unneeded_accepted_gap() {
    let dir = out_dir("run-summary-interrupted-gap");
    let scenarios = "harness/cli/tests/data/run-unneeded-gap";
    let args = [
        "-v",
        "--scenarios",
        scenarios,
        "--cases",
        "100000",
        "--seed",
        "5",
    ];
    let mut child = scpcheck_run(&args)
        .args(["--out", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // With `-v` each case is logged on stderr before it is recorded. The run waits whenever
    // the pipe is full, so reading no further than the first case's line until the signal is
    // sent keeps the operation from running all its cases first.
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains(" case=1 ") {
        line.clear();
        assert!(logs.read_line(&mut line).unwrap() > 0, "no case was logged");
    }
    wait_for_signal_handlers(&child);
    interrupt(&child);
    let drained = std::thread::spawn(move || std::io::copy(&mut logs, &mut std::io::sink()));
    let output = child.wait_with_output().unwrap();
    drained.join().unwrap().unwrap();
    let text = stdout(&output);

    assert_eq!(
        output.status.code(),
        Some(exit_codes::INTERRUPTED),
        "{text}"
    );
    let results = results_json(&dir);
    let operation = &results["scenarios"][0];
    assert_eq!(operation["complete"], false, "{text}");
    let ran = operation["cases"].as_array().unwrap().len();
    assert!((1..100_000).contains(&ran), "{ran} cases ran");
    assert!(
        operation.get("unneeded_accepted_gaps").is_none(),
        "{operation}"
    );
    assert!(!text.contains("warning:"), "{text}");
}
