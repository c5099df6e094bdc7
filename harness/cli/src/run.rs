//! The run pipeline: load scenarios and policies, start the target, generate cases, get three
//! decisions for each, compare them, and collect the results.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use scpcheck_policy::{Decision as PolicyDecision, Organization};
use scpcheck_report::{
    CaseResult, Decision, RunResults, ScenarioResult, TargetDetail, TargetInfo, Verdict,
};
use scpcheck_scenario::catalogue::CallEnv;
use scpcheck_scenario::layout::{OrganizationIds, PolicySet};
use scpcheck_scenario::{ParamValue, Params, Scenario, ScenarioOperation, generate_cases};
use scpcheck_target::reference;
use scpcheck_target::{EmulatorOptions, EmulatorTarget, Outcome, TargetError};

use crate::exit_codes;

/// What to run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetKind {
    /// moto behind the SCP-enforcing gateway, driven with the AWS SDK.
    Emulator,
    /// The reference evaluator alone (no wire calls; fast, checks scenarios against SCPs).
    Reference,
}

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The directory of scenario files.
    pub scenarios_dir: PathBuf,
    /// The directory of policies and their layout file.
    pub policies_dir: PathBuf,
    /// Cases generated per scenario operation.
    pub cases: usize,
    /// The seed of the case generator.
    pub seed: u64,
    /// The target.
    pub target: TargetKind,
    /// How to reach the emulator.
    pub emulator: EmulatorOptions,
}

/// Why a run could not produce results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad input, with its diagnostics rendered by the caller.
    #[error("invalid input")]
    InvalidInput(Vec<miette::Report>),
    /// The target could not be started or used.
    #[error(transparent)]
    TargetUnavailable(#[from] TargetError),
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
    /// The run was interrupted before any case ran. [`run`] does not return it: an
    /// interruption during start-up gives results that list every operation as not run, so that
    /// `results.json` is written and an older one is not taken for this run's.
    #[error("interrupted during start-up")]
    Interrupted,
}

/// Resolves once `flag` is set.
async fn interruption(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl RunError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::InvalidInput(_) => exit_codes::INVALID_INPUT,
            RunError::TargetUnavailable(_) => exit_codes::TARGET_UNAVAILABLE,
            RunError::Internal(_) => exit_codes::INTERNAL_ERROR,
            RunError::Interrupted => exit_codes::INTERRUPTED,
        }
    }
}

/// The inputs of a run, loaded and validated.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The scenarios, sorted by id.
    pub scenarios: Vec<Scenario>,
    /// The policies and their layout.
    pub policies: PolicySet,
}

/// Loads scenarios and policies, reporting every problem of both at once.
pub fn load_inputs(config: &RunConfig) -> Result<Inputs, RunError> {
    let mut reports = Vec::new();
    let scenarios = scpcheck_scenario::load_dir(&config.scenarios_dir)
        .map_err(|errors| reports.push(miette::Report::new(errors)))
        .ok();
    let policies = PolicySet::load(&config.policies_dir)
        .map_err(|errors| reports.extend(errors.into_iter().map(miette::Report::new)))
        .ok();
    match (scenarios, policies) {
        (Some(scenarios), Some(policies)) if reports.is_empty() => Ok(Inputs {
            scenarios,
            policies,
        }),
        _ => Err(RunError::InvalidInput(reports)),
    }
}

/// The generator seed of one scenario operation: the run's seed mixed with the scenario id and
/// operation, so that adding a scenario leaves the cases of the others as they were.
pub fn operation_seed(seed: u64, scenario: &str, operation: &str) -> u64 {
    // FNV-1a over the names, folded into the seed.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for byte in scenario.bytes().chain([0]).chain(operation.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A target for the pipeline.
enum Runner {
    Emulator(Box<EmulatorTarget>),
    Reference { organization: Organization },
}

/// The account and role the reference-only target pretends to be.
const REFERENCE_ACCOUNT: &str = "111122223333";
const REFERENCE_REGION: &str = "eu-central-1";

impl Runner {
    fn organization(&self) -> &Organization {
        match self {
            Runner::Emulator(target) => target.organization(),
            Runner::Reference { organization } => organization,
        }
    }

    fn env(&self, params: &Params) -> CallEnv {
        match self {
            Runner::Emulator(target) => target.call_env(params),
            Runner::Reference { .. } => reference::member_env(
                REFERENCE_REGION,
                REFERENCE_ACCOUNT,
                &format!("arn:aws:iam::{REFERENCE_ACCOUNT}:role/OrganizationAccountAccessRole"),
                params,
            ),
        }
    }

    fn info(&self) -> TargetInfo {
        match self {
            Runner::Emulator(target) => TargetInfo {
                kind: "emulator".to_string(),
                version: target.version(),
            },
            Runner::Reference { .. } => TargetInfo {
                kind: "reference".to_string(),
                version: format!("scpcheck {}", env!("CARGO_PKG_VERSION")),
            },
        }
    }
}

/// How long the parts of a run took.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunTimings {
    /// Provisioning and starting the target (emulator, gateway, organization).
    pub startup: Duration,
    /// Of that, starting the emulator process until it answered.
    pub emulator_start: Duration,
    /// Running the cases.
    pub cases: Duration,
}

/// Runs every scenario of `inputs` against the configured target. `interrupted` stops the run
/// after the current case; the results so far are returned.
pub async fn run(
    config: &RunConfig,
    inputs: &Inputs,
    interrupted: Arc<AtomicBool>,
    progress: Option<ProgressBar>,
) -> Result<(RunResults, RunTimings), RunError> {
    let started = Instant::now();
    let mut timings = RunTimings::default();
    let runner = match config.target {
        TargetKind::Emulator => {
            // An interrupt during start-up drops the half-started target, which stops the
            // emulator process and the gateway's listeners.
            let starting = EmulatorTarget::start(&config.emulator, &inputs.policies);
            let target = tokio::select! {
                target = starting => target?,
                () = interruption(&interrupted) => {
                    timings.startup = started.elapsed();
                    return Ok((not_started(config, inputs), timings));
                }
            };
            let start = target.timings();
            tracing::debug!(
                provision_ms = start.provision.as_millis(),
                emulator_ms = start.emulator.as_millis(),
                setup_ms = start.setup.as_millis(),
                "target ready"
            );
            timings.emulator_start = start.emulator;
            Runner::Emulator(Box::new(target))
        }
        TargetKind::Reference => {
            let ids = OrganizationIds {
                management_account: "123456789012".to_string(),
                root: "r-root".to_string(),
                organizational_units: BTreeMap::new(),
                account: REFERENCE_ACCOUNT.to_string(),
            };
            Runner::Reference {
                organization: inputs.policies.organization(&ids),
            }
        }
    };

    timings.startup = started.elapsed();
    let cases_started = Instant::now();
    let results = run_all(config, inputs, &runner, &interrupted, progress.as_ref()).await;
    timings.cases = cases_started.elapsed();
    if let Runner::Emulator(target) = runner {
        target.stop().await;
    }
    results.map(|results| (results, timings))
}

/// The results of a run interrupted while the emulator target was starting: every operation,
/// none of them run.
fn not_started(config: &RunConfig, inputs: &Inputs) -> RunResults {
    let scenarios = inputs
        .scenarios
        .iter()
        .flat_map(|scenario| {
            let operations = scenario.operations.iter();
            operations.map(move |operation| not_run(scenario, operation))
        })
        .collect();
    RunResults {
        seed: config.seed,
        interrupted: true,
        target: TargetInfo {
            kind: "emulator".to_string(),
            version: "not started: interrupted during start-up".to_string(),
        },
        scenarios,
    }
}

/// The result of an operation before any of its cases ran.
fn not_run(scenario: &Scenario, operation: &ScenarioOperation) -> ScenarioResult {
    ScenarioResult {
        id: scenario.id.clone(),
        operation: operation.name().to_string(),
        restriction: scenario.restriction.text.clone(),
        source_file: scenario.source_path.clone(),
        complete: false,
        unneeded_accepted_gaps: Vec::new(),
        cases: Vec::new(),
    }
}

async fn run_all(
    config: &RunConfig,
    inputs: &Inputs,
    runner: &Runner,
    interrupted: &AtomicBool,
    progress: Option<&ProgressBar>,
) -> Result<RunResults, RunError> {
    let mut scenarios = Vec::new();
    let mut index = 0;
    if let Some(bar) = progress {
        let operations: usize = inputs.scenarios.iter().map(|s| s.operations.len()).sum();
        bar.set_length((operations * config.cases) as u64);
    }
    for scenario in &inputs.scenarios {
        for operation in &scenario.operations {
            let mut result = not_run(scenario, operation);
            // Once interrupted, the operations not reached are still listed, without cases, so
            // that the results say what did not run; their cases are not even generated, which
            // takes a while when there are many.
            if !interrupted.load(Ordering::SeqCst) {
                let seed = operation_seed(config.seed, &scenario.id, operation.name());
                let cases = generate_cases(operation, seed, config.cases);
                let run = OperationRun {
                    runner,
                    interrupted,
                    progress,
                };
                run.run(operation, cases, &mut result, &mut index).await?;
            }
            scenarios.push(result);
        }
    }
    Ok(RunResults {
        seed: config.seed,
        interrupted: interrupted.load(Ordering::SeqCst),
        target: runner.info(),
        scenarios,
    })
}

/// What running the cases of one operation needs besides them.
struct OperationRun<'a> {
    runner: &'a Runner,
    interrupted: &'a AtomicBool,
    progress: Option<&'a ProgressBar>,
}

impl OperationRun<'_> {
    /// Runs `cases` of `operation` into `result` until they are done or the run is
    /// interrupted, numbering them on from `index`.
    async fn run(
        &self,
        operation: &ScenarioOperation,
        cases: Vec<Params>,
        result: &mut ScenarioResult,
        index: &mut usize,
    ) -> Result<(), RunError> {
        let count = cases.len();
        let mut gaps_needed = vec![false; operation.accepted_gaps().len()];
        for params in cases {
            if self.interrupted.load(Ordering::SeqCst) {
                break;
            }
            *index += 1;
            let case = run_case(self.runner, operation, params, *index).await?;
            if let Some(needed) = case.gap.and_then(|gap| gaps_needed.get_mut(gap)) {
                *needed = true;
            }
            result.cases.push(case.result);
            if let Some(bar) = self.progress {
                bar.inc(1);
            }
        }

        result.complete = result.cases.len() == count;
        if !result.complete {
            // The cases that did not run might have needed any of the gaps, so an operation
            // cut short proves none of them stale.
            return Ok(());
        }
        result.unneeded_accepted_gaps = operation
            .accepted_gaps()
            .iter()
            .zip(gaps_needed)
            .filter(|(_, needed)| !needed)
            .map(|(gap, _)| gap.when.source().to_string())
            .collect();
        Ok(())
    }
}

/// A case's result, and the index of the accepted gap it needed: the first one whose rule
/// matches a case where the written restriction and the reference evaluator differ, whatever
/// the target did.
struct RanCase {
    result: CaseResult,
    gap: Option<usize>,
}

async fn run_case(
    runner: &Runner,
    operation: &ScenarioOperation,
    params: Params,
    index: usize,
) -> Result<RanCase, RunError> {
    let name = operation.name();
    let resources = match runner {
        Runner::Emulator(target) => target.prepare(name, &params, index).await?,
        Runner::Reference { .. } => BTreeMap::new(),
    };
    let mut call_params = params.clone();
    for (key, value) in &resources {
        call_params.insert(key.clone(), ParamValue::Str(value.clone()));
    }

    let env = runner.env(&call_params);
    let reference = reference::evaluate(runner.organization(), name, &call_params, &env)
        .map_err(|error| RunError::Internal(format!("`{name}`: {error}")))?;
    let reference_decision = to_report(reference.decision);
    let outcome = match runner {
        Runner::Emulator(target) => target.execute(name, &call_params).await,
        Runner::Reference { .. } => Outcome {
            decision: reference_decision,
            detail: TargetDetail::default(),
        },
    };
    tracing::debug!(
        operation = name,
        case = index,
        reference = reference_decision.as_str(),
        target = outcome.decision.as_str(),
        "case"
    );

    let expected = to_report(operation.expected(&params));
    // The first accepted gap whose rule matches, as `ScenarioOperation::accepted_gap` finds
    // it, by position, so that the run can tell which gaps no case needed.
    let gaps = operation.accepted_gaps();
    let gap_position = gaps.iter().position(|gap| gap.when.matches(&params));
    let gap = gap_position.and_then(|position| gaps.get(position));
    let verdict = Verdict::judge(
        expected,
        reference_decision,
        outcome.decision,
        gap.is_some(),
    );
    let detail = outcome.detail;
    let has_detail = detail != TargetDetail::default();
    let result = CaseResult {
        params: params
            .iter()
            .map(|(key, value)| (key.clone(), param_json(value)))
            .collect(),
        resources,
        expected,
        reference: reference_decision,
        target: outcome.decision,
        verdict,
        accepted_gap_reason: match verdict {
            Verdict::AcceptedGap => gap.map(|gap| gap.reason.clone()),
            _ => None,
        },
        target_detail: has_detail.then_some(detail),
        reference_denied_by: reference.denied_by,
    };
    Ok(RanCase {
        result,
        gap: gap_position.filter(|_| expected != reference_decision),
    })
}

fn to_report(decision: PolicyDecision) -> Decision {
    match decision {
        PolicyDecision::Allow => Decision::Allow,
        PolicyDecision::Deny => Decision::Deny,
    }
}

fn param_json(value: &ParamValue) -> serde_json::Value {
    match value {
        ParamValue::Bool(value) => serde_json::Value::Bool(*value),
        ParamValue::Int(value) => serde_json::Value::from(*value),
        ParamValue::Str(value) => serde_json::Value::String(value.clone()),
    }
}
