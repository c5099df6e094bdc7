//! Text renderings: the summary printed after a run and the per-scenario decision tables.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{CaseResult, Decision, RunResults, ScenarioResult, Tally, Verdict};

/// What the summary needs to know about the run beyond its results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Whether every case is also written to `results.json`, so that the summary has no need
    /// to say how to see the cases it leaves out.
    pub every_case_written: bool,
}

/// The summary table of a run and, below it, whether the run was interrupted, the accepted
/// gaps that no case needed, the accepted gaps that were used, and every case that keeps the
/// run from succeeding.
pub fn summary(results: &RunResults, options: SummaryOptions) -> String {
    let header = [
        "scenario",
        "operation",
        "cases",
        "conforms",
        "gaps",
        "accepted",
        "diverge",
        "errors",
        "state",
    ]
    .map(Column::sized_to_content);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for scenario in &results.scenarios {
        let tally = Tally::of(&scenario.cases);
        rows.push(tally_row(&scenario.id, &scenario.operation, &tally));
    }
    rows.push(tally_row("total", "", &results.tally()));
    let mut out = render_columns(&header, &rows);

    let sections = [
        interruption_lines(results),
        unneeded_gap_lines(results),
        accepted_gap_lines(results),
        problem_lines(results, options),
    ];
    for section in sections.iter().filter(|section| !section.is_empty()) {
        out.push('\n');
        out.push_str(section);
    }
    out
}

/// When the run was interrupted, which operations ran only some of their cases and which
/// none, so that partial results are not taken for a whole run.
fn interruption_lines(results: &RunResults) -> String {
    if !results.interrupted {
        return String::new();
    }
    let cut_short: Vec<&ScenarioResult> = results
        .scenarios
        .iter()
        .filter(|scenario| !scenario.complete)
        .collect();
    if cut_short.is_empty() {
        return "interrupted after the last case: every operation ran all its cases\n".to_owned();
    }

    let mut out = String::from("interrupted: the results are partial\n");
    for scenario in cut_short {
        let ran = scenario.cases.len();
        if ran == 0 {
            let _ = writeln!(out, "  not run: {} {}", scenario.id, scenario.operation);
        } else {
            let _ = writeln!(
                out,
                "  incomplete: {id} {operation} ({ran} case{plural} ran)",
                id = scenario.id,
                operation = scenario.operation,
                plural = if ran == 1 { "" } else { "s" },
            );
        }
    }
    out
}

/// A warning for each accepted gap that no case of an operation that ran all its cases needed:
/// its rule may be stale, or never reached by the scenario's parameters. An operation that an
/// interruption cut short proves nothing, as the cases left out might have needed the gap.
fn unneeded_gap_lines(results: &RunResults) -> String {
    let mut out = String::new();
    for scenario in &results.scenarios {
        let ran = scenario.cases.len();
        if ran == 0 || !scenario.complete {
            continue;
        }
        for when in &scenario.unneeded_accepted_gaps {
            let _ = writeln!(
                out,
                "warning: {file}: {operation}: the accepted gap `{when}` matched no policy gap \
                 in {ran} case{plural}",
                file = scenario.source_file.display(),
                operation = scenario.operation,
                plural = if ran == 1 { "" } else { "s" },
            );
        }
    }
    out
}

/// Each accepted gap once, with the number of cases it covered and the scenario's reason.
fn accepted_gap_lines(results: &RunResults) -> String {
    let mut out = String::new();
    for scenario in &results.scenarios {
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for case in &scenario.cases {
            if let Some(reason) = &case.accepted_gap_reason {
                *reasons.entry(reason.as_str()).or_default() += 1;
            }
        }
        for (reason, count) in reasons {
            if out.is_empty() {
                out.push_str("accepted gaps (the scenario accepts them, with its reason):\n");
            }
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(
                out,
                "  {id} {operation} ({count} case{plural}): {reason}",
                id = scenario.id,
                operation = scenario.operation,
                plural = if count == 1 { "" } else { "s" },
            );
        }
    }
    out
}

fn tally_row(id: &str, operation: &str, tally: &Tally) -> Vec<String> {
    vec![
        id.to_string(),
        operation.to_string(),
        tally.cases.to_string(),
        tally.conforms.to_string(),
        tally.policy_gaps.to_string(),
        tally.accepted_gaps.to_string(),
        tally.divergences.to_string(),
        tally.errors.to_string(),
        tally.state_mismatches.to_string(),
    ]
}

/// The most distinct failing parameter combinations listed for one scenario operation in one
/// section of the summary; the rest are counted on one line.
pub const LISTED_PROBLEMS_PER_OPERATION: usize = 8;

/// One line for each distinct failing case: policy gaps, divergences, errors, state mismatches;
/// at most [`LISTED_PROBLEMS_PER_OPERATION`] per scenario operation and kind, then a count of
/// the rest.
fn problem_lines(results: &RunResults, options: SummaryOptions) -> String {
    let mut sections: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for scenario in &results.scenarios {
        // Distinct combinations and cases left out, by section.
        let mut left_out: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
        let mut listed: BTreeMap<&'static str, usize> = BTreeMap::new();
        for (row, count) in distinct_rows(&scenario.cases) {
            let Some(title) = problem_title(&row) else {
                continue;
            };
            let shown = listed.entry(title).or_default();
            if *shown == LISTED_PROBLEMS_PER_OPERATION {
                let rest = left_out.entry(title).or_default();
                rest.0 += 1;
                rest.1 += count;
                continue;
            }
            *shown += 1;
            let line = format!(
                "  {id} {operation} {{{params}}}: expected {expected}, reference {reference}, \
                 target {target}{detail} ({count} case{plural})",
                id = scenario.id,
                operation = scenario.operation,
                params = row.params,
                expected = row.expected,
                reference = row.reference,
                target = row.target,
                detail = row.note_suffix(),
                plural = if count == 1 { "" } else { "s" },
            );
            sections.entry(title).or_default().push(line);
        }
        let hint = if options.every_case_written {
            ""
        } else {
            "; `--out DIR` writes every case to results.json"
        };
        for (title, (combinations, cases)) in left_out {
            let line = format!(
                "  {id} {operation}: {combinations} more combination{plural} \
                 ({cases} case{cases_plural}){hint}",
                id = scenario.id,
                operation = scenario.operation,
                plural = if combinations == 1 { "" } else { "s" },
                cases_plural = if cases == 1 { "" } else { "s" },
            );
            sections.entry(title).or_default().push(line);
        }
    }

    let mut out = String::new();
    for (title, lines) in sections {
        let _ = writeln!(out, "{title}:");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn problem_title(row: &Row) -> Option<&'static str> {
    match row.verdict {
        Verdict::PolicyGap => Some("policy gaps (the SCPs do not implement the restriction)"),
        Verdict::Divergence => Some("divergences (the target and the reference disagree)"),
        Verdict::Error => Some("errors (the target gave no decision)"),
        Verdict::Conforms | Verdict::AcceptedGap if row.state_mismatch => {
            Some("state mismatches (the created resource is not what the call asked for)")
        }
        Verdict::Conforms | Verdict::AcceptedGap => None,
    }
}

/// The decision table of one scenario operation: one row per distinct parameter combination,
/// sorted, with the number of generated cases that had it. Resource identifiers are left out,
/// so the table is stable for a seed.
pub fn decision_table(scenario: &ScenarioResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {}", scenario.id);
    let _ = writeln!(out, "operation: {}", scenario.operation);
    let _ = writeln!(out, "restriction: {}", scenario.restriction);
    let _ = writeln!(out);

    // A flipped decision must change only its own rows in a snapshot's diff, so no column's
    // width may depend on the decisions: the decision and verdict columns are as wide as their
    // longest spelling, and the note, which follows the target's answer, comes last.
    let decision = widest(Decision::ALL.map(Decision::as_str));
    let header = [
        Column::sized_to_content("params"),
        Column::at_least("expected", decision),
        Column::at_least("reference", decision),
        Column::at_least("target", decision),
        Column::at_least("verdict", widest(Verdict::ALL.map(Verdict::as_str))),
        Column::sized_to_content("cases"),
        Column::sized_to_content("note"),
    ];
    let rows: Vec<Vec<String>> = distinct_rows(&scenario.cases)
        .into_iter()
        .map(|(row, count)| {
            vec![
                row.params.clone(),
                row.expected.to_string(),
                row.reference.to_string(),
                row.target.to_string(),
                row.verdict.as_str().to_string(),
                count.to_string(),
                row.note.clone(),
            ]
        })
        .collect();
    out.push_str(&render_columns(&header, &rows));
    out
}

/// The width of the longest of `spellings`.
fn widest<const N: usize>(spellings: [&str; N]) -> usize {
    spellings
        .iter()
        .map(|spelling| spelling.chars().count())
        .max()
        .unwrap_or(0)
}

/// What a table shows of one case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    params: String,
    expected: &'static str,
    reference: &'static str,
    target: &'static str,
    verdict: Verdict,
    note: String,
    state_mismatch: bool,
}

impl Row {
    fn of(case: &CaseResult) -> Row {
        let params = case
            .params
            .iter()
            .map(|(name, value)| match value {
                serde_json::Value::String(text) => format!("{name}={text:?}"),
                other => format!("{name}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" ");
        let state_mismatch = case
            .target_detail
            .as_ref()
            .and_then(|detail| detail.state.as_ref())
            .is_some_and(|state| !state.holds());
        Row {
            params,
            expected: case.expected.as_str(),
            reference: case.reference.as_str(),
            target: case.target.as_str(),
            verdict: case.verdict,
            note: note(case),
            state_mismatch,
        }
    }

    fn note_suffix(&self) -> String {
        if self.note.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.note)
        }
    }
}

/// The target's error code and the state check, in a few words.
fn note(case: &CaseResult) -> String {
    let Some(detail) = &case.target_detail else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(code) = &detail.code {
        parts.push(code.clone());
    }
    if let Some(state) = &detail.state {
        if state.holds() {
            parts.push(format!("{}={}", state.attribute, state.observed));
        } else {
            parts.push(format!(
                "{attribute}={observed}, asked {expected}",
                attribute = state.attribute,
                observed = state.observed,
                expected = state.expected
            ));
        }
    }
    parts.join("; ")
}

fn distinct_rows(cases: &[CaseResult]) -> Vec<(Row, usize)> {
    let mut counts: BTreeMap<Row, usize> = BTreeMap::new();
    for case in cases {
        *counts.entry(Row::of(case)).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// A column of a table: its title, and the width it has even when its cells are narrower.
struct Column {
    title: &'static str,
    min_width: usize,
}

impl Column {
    fn sized_to_content(title: &'static str) -> Column {
        Column::at_least(title, 0)
    }

    fn at_least(title: &'static str, min_width: usize) -> Column {
        Column { title, min_width }
    }
}

/// Left-aligned columns separated by two spaces, with a rule under the header; each column as
/// wide as its title, its widest cell and its minimum width.
fn render_columns(header: &[Column], rows: &[Vec<String>]) -> String {
    let header_widths: Vec<usize> = header
        .iter()
        .map(|column| column.title.chars().count().max(column.min_width))
        .collect();
    let mut widths = header_widths.clone();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // The last column's cells end their lines and need no padding, so its rule is only as
    // wide as its header: what the column holds then changes no line but its own.
    if let (Some(width), Some(header_width)) = (widths.last_mut(), header_widths.last()) {
        *width = *header_width;
    }

    let mut out = String::new();
    let titles: Vec<String> = header
        .iter()
        .map(|column| column.title.to_string())
        .collect();
    push_row(&mut out, &widths, &titles);
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    push_row(&mut out, &widths, &rule);
    for row in rows {
        push_row(&mut out, &widths, row);
    }
    out
}

fn push_row(out: &mut String, widths: &[usize], cells: &[String]) {
    let line = cells
        .iter()
        .zip(widths)
        .map(|(cell, width)| format!("{cell:<width$}"))
        .collect::<Vec<_>>()
        .join("  ");
    let _ = writeln!(out, "{}", line.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TargetInfo;

    fn gap(size: usize, repeats: usize) -> Vec<CaseResult> {
        let case = CaseResult {
            params: BTreeMap::from([("size".to_owned(), serde_json::json!(size))]),
            resources: BTreeMap::new(),
            expected: Decision::Deny,
            reference: Decision::Allow,
            target: Decision::Allow,
            verdict: Verdict::PolicyGap,
            accepted_gap_reason: None,
            target_detail: None,
            reference_denied_by: Vec::new(),
        };
        vec![case; repeats]
    }

    #[test]
    fn the_summary_lists_a_few_failing_combinations_and_counts_the_rest() {
        let mut cases = Vec::new();
        for size in 0..11 {
            cases.extend(gap(size, 1 + size % 2));
        }
        let results = RunResults {
            seed: 7,
            interrupted: false,
            target: TargetInfo {
                kind: "reference".to_owned(),
                version: "test".to_owned(),
            },
            scenarios: vec![ScenarioResult {
                id: "ebs".to_owned(),
                operation: "CreateVolume".to_owned(),
                restriction: "volumes are encrypted".to_owned(),
                source_file: "scenarios/ebs.toml".into(),
                complete: true,
                unneeded_accepted_gaps: Vec::new(),
                cases,
            }],
        };
        let summary = summary(&results, SummaryOptions::default());
        let listed = summary
            .lines()
            .filter(|line| line.starts_with("  ebs CreateVolume {"))
            .count();
        assert_eq!(listed, LISTED_PROBLEMS_PER_OPERATION, "{summary}");
        // Sizes 0..11 sort as 0, 1, 10, 2, ...: the first eight are listed, and sizes 7, 8 and
        // 9 (2 + 1 + 2 cases) are counted.
        assert!(
            summary.contains(
                "  ebs CreateVolume: 3 more combinations (5 cases); `--out DIR` writes every case \
                 to results.json\n"
            ),
            "{summary}"
        );
    }
}
