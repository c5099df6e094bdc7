//! `scpcheck`: checks that AWS service control policies do what their written restrictions
//! say, by running generated API calls against an emulator and a reference evaluator.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scpcheck_cli::exit_codes;
use scpcheck_cli::run::{self, RunConfig, RunError, TargetKind};
use scpcheck_cli::run_arguments::{parse_emulator_url, parse_region};
use scpcheck_target::EmulatorOptions;
use tracing_subscriber::EnvFilter;

/// Checks that AWS service control policies do what their written restrictions say.
#[derive(Debug, Parser)]
#[command(name = "scpcheck", version, about, long_about = None)]
struct Cli {
    /// More logging on stderr: `-v` for debug, `-vv` for trace (`RUST_LOG` overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generates cases from every scenario, runs each against the target and the reference
    /// evaluator, compares them with the written restriction, and prints a summary.
    Run(RunArgs),
    /// Manages the emulator scpcheck provisions.
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// Decides one request against SCPs with the reference evaluator and prints the decision
    /// with its full explanation.
    Explain(scpcheck_cli::commands::explain::ExplainArgs),
    /// Decides every decision vector of a JSON-lines file and compares it with the expected
    /// decision.
    Eval(scpcheck_cli::commands::eval::EvalArgs),
    /// Checks SCP documents against AWS Organizations' rules and likely mistakes.
    Lint(scpcheck_cli::commands::lint::LintArgs),
    /// Compares the reference evaluator with an independent implementation on generated cases
    /// and prints every unexplained disagreement as a decision vector.
    Oracle(scpcheck_cli::oracle_command::OracleArgs),
}

#[derive(Debug, Subcommand)]
enum EmulatorCommand {
    /// Installs moto into the cache directory if it is not there, and prints the path of its
    /// `moto_server` executable.
    Install,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Cases generated per scenario operation.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    cases: u32,

    /// Seed of the case generator; the same seed gives the same cases. Random when not given.
    #[arg(long)]
    seed: Option<u64>,

    /// Directory of scenario files.
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,

    /// Directory of SCP documents and their `layout.toml`.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,

    /// What the cases run against.
    #[arg(long, value_enum, default_value_t = TargetKind::Emulator)]
    target: TargetKind,

    /// Put the gateway in front of a moto-compatible emulator you already run at this URL
    /// (e.g. `http://127.0.0.1:5000`) instead of starting one. Its state is wiped first.
    #[arg(long, value_name = "URL", value_parser = parse_emulator_url)]
    emulator_url: Option<String>,

    /// Region of every call, e.g. `eu-central-1`.
    #[arg(long, default_value = "eu-central-1", value_parser = parse_region)]
    region: String,

    /// Write `results.json` into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Writes a line of results to stdout. A closed stdout (`scpcheck run | head`) is not an
/// error worth stopping a run for: the run still finishes, stops what it started, and writes
/// `--out`.
macro_rules! say {
    () => {
        shout("\n")
    };
    ($($arg:tt)*) => {
        shout(&format!("{}\n", format_args!($($arg)*)))
    };
}

fn shout(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);

    let code = match cli.command {
        Command::Run(args) => run_command(args),
        Command::Emulator(EmulatorCommand::Install) => install_command(),
        Command::Explain(args) => scpcheck_cli::commands::explain::run(&args),
        Command::Eval(args) => scpcheck_cli::commands::eval::run(&args),
        Command::Lint(args) => scpcheck_cli::commands::lint::run(&args),
        Command::Oracle(args) => {
            scpcheck_cli::oracle_command::run(&args, args.seed.unwrap_or_else(random_seed))
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn,scpcheck=info",
        1 => "debug,hyper=info,rustls=info,aws_smithy_runtime=info,aws_config=info",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

fn run_command(args: RunArgs) -> i32 {
    let seed = args.seed.unwrap_or_else(random_seed);
    let config = RunConfig {
        scenarios_dir: args.scenarios.clone(),
        policies_dir: args.policies.clone(),
        cases: args.cases as usize,
        seed,
        target: args.target,
        emulator: EmulatorOptions {
            emulator_url: args.emulator_url.clone(),
            cache_dir: scpcheck_target::cache_dir(),
            region: args.region.clone(),
        },
    };
    // Arguments that do not go together, and an `--out` that cannot be written, are refused
    // before the run announces itself.
    if args.emulator_url.is_some() && args.target == TargetKind::Reference {
        scpcheck_cli::report!("error: `--emulator-url` is for `--target emulator`");
        scpcheck_cli::report!(
            "help: `--target reference` runs no emulator; leave out one of the two"
        );
        return exit_codes::INVALID_INPUT;
    }
    if let Some(dir) = &args.out
        && let Err(error) = prepare_out_dir(dir)
    {
        scpcheck_cli::report!("error: {error}");
        scpcheck_cli::report!(
            "help: `--out` names a directory that scpcheck can create or write into"
        );
        return exit_codes::INVALID_INPUT;
    }
    say!(
        "scpcheck run: seed {seed} (rerun with `--seed {seed}`), {cases} case{plural} per \
         operation",
        cases = args.cases,
        plural = if args.cases == 1 { "" } else { "s" },
    );

    let inputs = match run::load_inputs(&config) {
        Ok(inputs) => inputs,
        Err(error) => return report_error(&error),
    };
    let Some(runtime) = async_runtime() else {
        return exit_codes::INTERNAL_ERROR;
    };

    let started = Instant::now();
    let interrupted = Arc::new(AtomicBool::new(false));
    let results = runtime.block_on(async {
        let flag = Arc::clone(&interrupted);
        tokio::spawn(async move {
            stop_signal().await;
            scpcheck_cli::report!(
                "interrupted: stopping after the case under way, if any, and writing the results \
                 so far"
            );
            flag.store(true, Ordering::SeqCst);
        });
        run::run(&config, &inputs, Arc::clone(&interrupted), progress_bar()).await
    });
    let (results, timings) = match results {
        Ok(done) => done,
        Err(error) => return report_error(&error),
    };

    let tally = results.tally();
    say!(
        "target: {} ({})",
        results.target.kind,
        results.target.version
    );
    say!();
    let options = scpcheck_report::SummaryOptions {
        every_case_written: args.out.is_some(),
    };
    shout(&scpcheck_report::summary(&results, options));
    say!();
    let elapsed = started.elapsed().as_secs_f64();
    let running = timings.cases.as_secs_f64();
    let rate = tally.cases as f64 / running.max(f64::EPSILON);
    let start_up = if args.target == TargetKind::Emulator {
        format!(
            " (start-up {startup:.1}s, emulator start {emulator:.1}s)",
            startup = timings.startup.as_secs_f64(),
            emulator = timings.emulator_start.as_secs_f64(),
        )
    } else {
        String::new()
    };
    say!(
        "{cases} case{plural} at {rate:.1} cases/s; {elapsed:.1}s in all{start_up}; seed {seed}",
        cases = tally.cases,
        plural = if tally.cases == 1 { "" } else { "s" },
    );

    if let Some(dir) = &args.out
        && let Err(error) = write_results(dir, &results)
    {
        scpcheck_cli::report!("error: {error}");
        return exit_codes::INTERNAL_ERROR;
    }
    if interrupted.load(Ordering::SeqCst) {
        return exit_codes::INTERRUPTED;
    }
    if tally.is_success() {
        exit_codes::SUCCESS
    } else {
        exit_codes::CONFORMANCE_FAILURE
    }
}

/// The async runtime of a command; `None` after saying why it could not start.
fn async_runtime() -> Option<tokio::runtime::Runtime> {
    let built = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    built
        .map_err(|error| scpcheck_cli::report!("error: cannot start the async runtime: {error}"))
        .ok()
}

fn install_command() -> i32 {
    let Some(runtime) = async_runtime() else {
        return exit_codes::INTERNAL_ERROR;
    };
    let cache = scpcheck_target::cache_dir();
    match runtime.block_on(scpcheck_target::emulator::MotoInstallation::provision(
        &cache,
    )) {
        Ok(installation) => {
            say!("{}", installation.server_path().display());
            exit_codes::SUCCESS
        }
        Err(error) => {
            scpcheck_cli::report!("error: {error}");
            if let Some(help) = error.help() {
                scpcheck_cli::report!("help: {help}");
            }
            exit_codes::TARGET_UNAVAILABLE
        }
    }
}

/// Resolves on Ctrl-C (SIGINT), SIGTERM or SIGHUP, so that every way of stopping a run
/// stops the emulator and the gateway too.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate());
    let hangup = signal(SignalKind::hangup());
    match (terminate, hangup) {
        (Ok(mut terminate), Ok(mut hangup)) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
                _ = hangup.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn progress_bar() -> Option<ProgressBar> {
    let on_terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !on_terminal {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Creates the `--out` directory and checks that `results.json` can be written there, before
/// a long run rather than after it.
fn prepare_out_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create `{}`: {error}", dir.display()))?;
    let probe = dir.join(".scpcheck-write-test");
    std::fs::write(&probe, b"")
        .map_err(|error| format!("cannot write into `{}`: {error}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    let results = dir.join("results.json");
    if results.is_dir() {
        return Err(format!("`{}` is a directory", results.display()));
    }
    Ok(())
}

fn write_results(dir: &Path, results: &scpcheck_report::RunResults) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create `{}`: {error}", dir.display()))?;
    let path = dir.join("results.json");
    let text = serde_json::to_string_pretty(results)
        .map_err(|error| format!("cannot encode the results: {error}"))?;
    let partial = dir.join("results.json.partial");
    std::fs::write(&partial, text + "\n")
        .map_err(|error| format!("cannot write `{}`: {error}", partial.display()))?;
    std::fs::rename(&partial, &path)
        .map_err(|error| format!("cannot write `{}`: {error}", path.display()))?;
    say!("wrote {}", path.display());
    Ok(())
}

fn report_error(error: &RunError) -> i32 {
    match error {
        RunError::InvalidInput(reports) => {
            for report in reports {
                scpcheck_cli::commands::eprint_diagnostic(report.as_ref());
            }
        }
        RunError::TargetUnavailable(inner) => {
            scpcheck_cli::report!("error: {inner}");
            if let scpcheck_target::TargetError::Emulator(emulator) = inner
                && let Some(help) = emulator.help()
            {
                scpcheck_cli::report!("help: {help}");
            }
        }
        RunError::Internal(message) => scpcheck_cli::report!("error: {message}"),
        RunError::Interrupted => {
            scpcheck_cli::report!("interrupted during start-up; everything started was stopped")
        }
    }
    error.exit_code()
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}
