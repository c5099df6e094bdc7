//! Scenario files, the catalogue of operations they exercise, and the cases generated from them.
//!
//! A scenario file states one written restriction: which operations it covers, which parameter
//! values to try, and when the restriction says a call must be denied. The [`catalogue`] turns
//! an operation and its parameters into the authorization checks AWS performs, and
//! [`generate_cases`] draws reproducible parameter sets from a scenario's declared domains.

pub mod catalogue;
mod generate;
pub mod layout;
mod rule;
mod scenario;

use std::collections::BTreeMap;
use std::fmt;

pub use generate::generate_cases;
pub use rule::Rule;
pub use scenario::{
    AcceptedGap, ParamDomain, Restriction, Scenario, ScenarioError, ScenarioErrorKind,
    ScenarioErrors, ScenarioOperation, load_dir, load_scenario, parse_scenario,
};

/// The name of the parameter that selects HTTP or HTTPS for a call.
///
/// It is not an API parameter: the harness maps it to [`catalogue::CallEnv::secure_transport`].
/// Every operation accepts it, and a case always carries it.
pub const TRANSPORT_PARAM: &str = "transport";

/// The value of one operation parameter in a case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A boolean parameter, e.g. `encrypted`.
    Bool(bool),
    /// An integer parameter, e.g. `size`.
    Int(i64),
    /// A string parameter, e.g. `engine`.
    Str(String),
}

impl ParamValue {
    /// The parameter type this value belongs to.
    pub fn param_type(&self) -> catalogue::ParamType {
        match self {
            ParamValue::Bool(_) => catalogue::ParamType::Bool,
            ParamValue::Int(_) => catalogue::ParamType::Int,
            ParamValue::Str(_) => catalogue::ParamType::Str,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(value) => write!(f, "{value}"),
            ParamValue::Int(value) => write!(f, "{value}"),
            ParamValue::Str(value) => f.write_str(value),
        }
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> Self {
        ParamValue::Bool(value)
    }
}

impl From<i64> for ParamValue {
    fn from(value: i64) -> Self {
        ParamValue::Int(value)
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        ParamValue::Str(value.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        ParamValue::Str(value)
    }
}

/// The parameters of one call; a parameter that is not sent is a missing key.
pub type Params = BTreeMap<String, ParamValue>;
