//! The differential test: generate cases from a seed, ask the evaluator under test and the
//! oracle, count agreements and known departures, and shrink every unexplained disagreement to a
//! small case, asking the oracle again at each step.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use scpcheck_policy::{Decision, EvaluationReason};
use serde_json::Value;

use crate::case::{Case, PolicyCache};
use crate::client::Oracle;
use crate::error::OracleError;
use crate::generate::{self, CaseKind};
use crate::known_departures::{Verdict, judge};
use crate::protocol::OracleAnswer;
use crate::reduce::reductions;
use crate::vector::{full_aws_access_document, in_vector_layout, unsettled_vector};
use crate::vocabulary::Family;

/// What to compare.
#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// How many cases.
    pub cases: u64,
    /// The generator's seed; the same seed and kind give the same cases.
    pub seed: u64,
    /// How many cases are generated and sent to the oracle at once.
    pub batch_size: usize,
    /// How many unexplained disagreements are shrunk; later ones are reported as generated.
    pub shrink_limit: usize,
    /// The most shrinking steps for one disagreement.
    pub max_shrink_steps: u32,
    /// Which question the cases ask.
    pub kind: CaseKind,
}

impl CompareOptions {
    /// `cases` cases about the SCP layer from `seed`, with the default batch and shrinking
    /// limits.
    pub fn new(cases: u64, seed: u64) -> Self {
        CompareOptions {
            kind: CaseKind::ScpLayer,
            cases,
            seed,
            batch_size: 4096,
            shrink_limit: 20,
            max_shrink_steps: 2000,
        }
    }
}

/// Why a comparison could not be completed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CompareError {
    /// The oracle failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Oracle(#[from] OracleError),
    /// The generator made a policy the evaluator under test refuses: a bug in the generator.
    #[error("the generator made a policy that does not parse: {0}")]
    Generator(String),
}

/// An unexplained disagreement, shrunk.
#[derive(Debug, Clone)]
pub struct Disagreement {
    /// The position of the case in the run, from 0.
    pub index: u64,
    /// The case as generated.
    pub original: Case,
    /// The smallest case found that still disagrees for no known reason.
    pub case: Case,
    /// The evaluator under test's decision on `case`.
    pub ours: Decision,
    /// The oracle's decision on `case`.
    pub oracle: Decision,
    /// How many shrinking steps were taken.
    pub shrink_steps: u32,
}

/// The outcome of a comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The seed used.
    pub seed: u64,
    /// Which question the cases asked.
    pub kind: CaseKind,
    /// How many cases were compared.
    pub cases: u64,
    /// How many the two agreed on.
    pub agreements: u64,
    /// Disagreements explained by known departures, by departure name (several joined by
    /// ` + `).
    pub known: BTreeMap<String, u64>,
    /// Unexplained disagreements.
    pub unexplained: Vec<Disagreement>,
    /// Cases the oracle could not evaluate, with its message.
    pub oracle_errors: Vec<(Case, String)>,
    /// How many cases the evaluator under test allowed, and denied.
    pub allowed: u64,
    /// See `allowed`.
    pub denied: u64,
    /// How many generated conditions used each operator family.
    pub families: BTreeMap<Family, u64>,
    /// For cases over every policy type, how many the evaluator decided for each reason, by
    /// the reason's name (e.g. `AllowedAcrossAccounts`).
    pub reasons: BTreeMap<String, u64>,
    /// How long the comparison took.
    pub elapsed: Duration,
}

impl Report {
    /// How many disagreements known departures explain.
    pub fn known_total(&self) -> u64 {
        self.known.values().sum()
    }

    /// Whether every disagreement is explained and the oracle evaluated every case.
    pub fn is_success(&self) -> bool {
        self.unexplained.is_empty() && self.oracle_errors.is_empty()
    }

    /// Each unexplained disagreement as a decision vector line.
    pub fn vectors(&self, oracle_name: &str) -> Vec<Value> {
        self.unexplained
            .iter()
            .map(|disagreement| {
                let id = format!("oracle-{}-{}", self.seed, disagreement.index);
                unsettled_vector(
                    &id,
                    &disagreement.case,
                    disagreement.ours,
                    disagreement.oracle,
                    oracle_name,
                )
            })
            .collect()
    }
}

/// The comparison's state: the oracle, the parsed-policy cache and the report so far.
struct Comparison<'a> {
    oracle: &'a mut Oracle,
    cache: PolicyCache,
    options: CompareOptions,
    report: Report,
}

/// Runs `options.cases` cases of `options.kind` from `options.seed`; `progress` is told how
/// many are done.
// Limitation: permissions boundaries, session policies, resource control policies and VPC
// endpoint policies are never generated, as the evaluator under test does not model them, so
// their effect is not compared with the oracle.
pub fn compare(
    oracle: &mut Oracle,
    options: CompareOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<Report, CompareError> {
    let started = Instant::now();
    let mut runner = TestRunner::new_with_rng(Config::default(), rng(options.seed));
    let strategy = generate::strategy(options.kind);
    let mut comparison = Comparison {
        oracle,
        cache: PolicyCache::new(),
        options,
        report: Report {
            seed: options.seed,
            kind: options.kind,
            ..Report::default()
        },
    };

    let mut done = 0;
    while done < options.cases {
        let remaining = usize::try_from(options.cases - done).unwrap_or(usize::MAX);
        let size = remaining.min(options.batch_size.max(1));
        let mut trees = Vec::with_capacity(size);
        for _ in 0..size {
            let tree = strategy
                .new_tree(&mut runner)
                .map_err(|reason| CompareError::Generator(reason.to_string()))?;
            trees.push(tree);
        }
        comparison.batch(done, trees)?;
        done += size as u64;
        progress(done);
    }
    comparison.report.elapsed = started.elapsed();
    Ok(comparison.report)
}

fn decide(case: &Case, cache: &mut PolicyCache) -> Result<Decision, CompareError> {
    Ok(evaluate(case, cache)?.0)
}

fn evaluate(
    case: &Case,
    cache: &mut PolicyCache,
) -> Result<(Decision, Option<EvaluationReason>), CompareError> {
    case.evaluate(cache)
        .map_err(|error| CompareError::Generator(error.to_string()))
}

/// A generator seeded from `seed` alone.
pub fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (index, chunk) in bytes.chunks_mut(8).enumerate() {
        let word = seed.rotate_left(16 * index as u32) ^ (index as u64);
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

impl Comparison<'_> {
    fn batch<T>(&mut self, first_index: u64, mut trees: Vec<T>) -> Result<(), CompareError>
    where
        T: ValueTree<Value = Case>,
    {
        let cases: Vec<Case> = trees.iter().map(ValueTree::current).collect();
        let requests: Vec<_> = cases.iter().map(Case::oracle_request).collect();
        // The evaluator under test decides the batch on another thread while the oracle
        // processes answer it, so the two costs overlap instead of adding up.
        let mut cache = std::mem::take(&mut self.cache);
        let (ours, answers) = std::thread::scope(|scope| {
            let decisions = scope.spawn(|| {
                let decisions: Result<Vec<_>, CompareError> = cases
                    .iter()
                    .map(|case| evaluate(case, &mut cache))
                    .collect();
                (decisions, cache)
            });
            let answers = self.oracle.ask_all(&requests);
            (decisions.join(), answers)
        });
        let (ours, cache) = ours
            .map_err(|_| CompareError::Generator("the evaluator under test panicked".to_owned()))?;
        self.cache = cache;
        let (ours, answers) = (ours?, answers?);

        for (offset, ((case, (ours, reason)), answer)) in
            cases.iter().zip(ours).zip(&answers).enumerate()
        {
            self.tally(case, ours, reason);
            match judge(case, ours, answer, &mut self.cache) {
                Verdict::Agree => self.report.agreements += 1,
                Verdict::Known(departures) => {
                    let names: Vec<&str> = departures
                        .iter()
                        .map(|departure| departure.name())
                        .collect();
                    let names = names.join(" + ");
                    let request = serde_json::to_string(&case.oracle_request());
                    tracing::trace!(
                        departures = %names,
                        request = %request.unwrap_or_default(),
                        "disagreement explained by known departures"
                    );
                    *self.report.known.entry(names).or_default() += 1;
                }
                Verdict::OracleError(message) => {
                    self.report.oracle_errors.push((case.clone(), message));
                }
                Verdict::Unexplained => {
                    let index = first_index + offset as u64;
                    let tree = trees.get_mut(offset);
                    let disagreement = self.explain(index, case, ours, answer, tree)?;
                    self.report.unexplained.push(disagreement);
                }
            }
        }
        self.report.cases += cases.len() as u64;
        Ok(())
    }

    fn tally(&mut self, case: &Case, ours: Decision, reason: Option<EvaluationReason>) {
        match ours {
            Decision::Allow => self.report.allowed += 1,
            Decision::Deny => self.report.denied += 1,
        }
        if let Some(reason) = reason {
            *self
                .report
                .reasons
                .entry(format!("{reason:?}"))
                .or_default() += 1;
        }
        for condition in case.conditions() {
            let base = condition.operator.rsplit(':').next().unwrap_or_default();
            let base = base.strip_suffix("IfExists").unwrap_or(base);
            if let Some(family) = Family::of(base) {
                *self.report.families.entry(family).or_default() += 1;
            }
        }
    }

    fn decide(&mut self, case: &Case) -> Result<Decision, CompareError> {
        decide(case, &mut self.cache)
    }

    /// Whether the case still disagrees for no known reason, with both decisions.
    fn still_unexplained(
        &mut self,
        case: &Case,
    ) -> Result<Option<(Decision, Decision)>, CompareError> {
        let ours = self.decide(case)?;
        let answer = self.oracle.ask(&case.oracle_request())?;
        let Some(theirs) = answer.decision() else {
            return Ok(None);
        };
        let verdict = judge(case, ours, &answer, &mut self.cache);
        Ok((verdict == Verdict::Unexplained).then_some((ours, theirs)))
    }

    /// Shrinks the disagreement (when within the limit) and puts it into the vector layout if it
    /// still disagrees there.
    fn explain<T>(
        &mut self,
        index: u64,
        case: &Case,
        ours: Decision,
        answer: &OracleAnswer,
        tree: Option<&mut T>,
    ) -> Result<Disagreement, CompareError>
    where
        T: ValueTree<Value = Case>,
    {
        let oracle = answer.decision().unwrap_or(ours);
        let mut disagreement = Disagreement {
            index,
            original: case.clone(),
            case: case.clone(),
            ours,
            oracle,
            shrink_steps: 0,
        };
        if self.report.unexplained.len() >= self.options.shrink_limit {
            return Ok(disagreement);
        }
        if let Some(tree) = tree {
            self.shrink(tree, &mut disagreement)?;
        }
        self.minimize(&mut disagreement)?;
        self.move_to_vector_layout(&mut disagreement)?;
        tracing::debug!(
            index,
            steps = disagreement.shrink_steps,
            "disagreement shrunk"
        );
        Ok(disagreement)
    }

    /// Proptest's shrinking loop: simplify while the case still disagrees, step back when it
    /// stops disagreeing.
    fn shrink<T>(
        &mut self,
        tree: &mut T,
        disagreement: &mut Disagreement,
    ) -> Result<(), CompareError>
    where
        T: ValueTree<Value = Case>,
    {
        if !tree.simplify() {
            return Ok(());
        }
        while disagreement.shrink_steps < self.options.max_shrink_steps {
            disagreement.shrink_steps += 1;
            let candidate = tree.current();
            let keep_going = match self.still_unexplained(&candidate)? {
                Some((ours, oracle)) => {
                    *disagreement = Disagreement {
                        case: candidate,
                        ours,
                        oracle,
                        ..disagreement.clone()
                    };
                    tree.simplify()
                }
                None => tree.complicate(),
            };
            if !keep_going {
                break;
            }
        }
        Ok(())
    }

    /// Takes single reductions while one still disagrees for no known reason.
    fn minimize(&mut self, disagreement: &mut Disagreement) -> Result<(), CompareError> {
        let mut checks = 0;
        'smaller: loop {
            for candidate in reductions(&disagreement.case) {
                if checks >= self.options.max_shrink_steps {
                    return Ok(());
                }
                checks += 1;
                disagreement.shrink_steps += 1;
                if let Some((ours, oracle)) = self.still_unexplained(&candidate)? {
                    disagreement.case = candidate;
                    disagreement.ours = ours;
                    disagreement.oracle = oracle;
                    continue 'smaller;
                }
            }
            return Ok(());
        }
    }

    /// Tries each generated SCP as the vector's one SCP; a case over every policy type whose
    /// SCPs are all `FullAWSAccess` tries that.
    fn move_to_vector_layout(
        &mut self,
        disagreement: &mut Disagreement,
    ) -> Result<(), CompareError> {
        let case = &disagreement.case;
        let mut documents: Vec<_> = case.scp_documents().cloned().collect();
        if documents.is_empty() && case.permissions.is_some() {
            documents.push(full_aws_access_document());
        }
        for document in documents {
            let candidate = in_vector_layout(&disagreement.case, &document);
            if let Some((ours, oracle)) = self.still_unexplained(&candidate)? {
                disagreement.case = candidate;
                disagreement.ours = ours;
                disagreement.oracle = oracle;
                return Ok(());
            }
        }
        Ok(())
    }
}
