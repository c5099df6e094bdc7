//! Evidence of a run: the results model, `results.json`, the summary table and the decision
//! tables that snapshots record.

mod model;
mod table;

pub use model::{
    CaseResult, Decision, RunResults, ScenarioResult, StateCheck, Tally, TargetDetail, TargetInfo,
    Verdict,
};
pub use table::{SummaryOptions, decision_table, summary};
