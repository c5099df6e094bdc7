//! Parameter domains: the values a case may give a parameter, and reading them from a file.

use toml::de::DeValue;

use super::error::Problem;
use super::error::ScenarioErrorKind::{InvalidParameter, InvalidValue};
use super::fields::{Key, Problems, Table, Value, string, with_article};
use crate::catalogue::{OperationSpec, ParamType};
use crate::{ParamValue, TRANSPORT_PARAM};

/// The fields of a parameter's table.
const DOMAIN_FIELDS: [&str; 3] = ["values", "absent", "other"];

/// The values of `transport`.
pub(super) const TRANSPORTS: [&str; 2] = ["http", "https"];

/// The values a case may give one parameter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParamDomain {
    param_type: ParamType,
    values: Vec<ParamValue>,
    absent: bool,
    other: Option<String>,
}

impl ParamDomain {
    /// The domain of `transport` when a scenario does not declare it: always HTTPS.
    pub(crate) fn default_transport() -> Self {
        Self {
            param_type: ParamType::Str,
            values: vec![ParamValue::Str("https".to_owned())],
            absent: false,
            other: None,
        }
    }

    /// The parameter's type.
    pub fn param_type(&self) -> ParamType {
        self.param_type
    }

    /// The listed values, in file order, without duplicates.
    pub fn values(&self) -> &[ParamValue] {
        &self.values
    }

    /// Whether a case may leave the parameter out.
    pub fn absent(&self) -> bool {
        self.absent
    }

    /// A regular expression random extra strings are drawn from, for string parameters.
    pub fn other(&self) -> Option<&str> {
        self.other.as_deref()
    }
}

/// Reads the domain of the parameter `key` of the operation `spec`.
pub(super) fn read_domain(
    key: &Key<'_>,
    value: &Value<'_>,
    spec: &OperationSpec,
    problems: &mut Problems,
) -> Option<ParamDomain> {
    let name = key.get_ref().as_ref();
    let param_type = declared_type(key, spec, problems)?;
    let table_name = format!("`[operation.params.{name}]`");
    let table = Table::read(value, &table_name, &DOMAIN_FIELDS, problems)?;
    let before = problems.len();

    let values = read_values(&table, name, param_type, problems);
    let absent = read_absent(&table, name, spec, problems);
    let other = read_other(&table, name, param_type, problems);
    if problems.len() > before {
        return None;
    }

    if values.is_empty() && !absent && other.is_none() {
        problems.push(
            Problem::new(
                InvalidValue,
                key.span(),
                format!("parameter `{name}` has no values to try"),
                "empty domain",
            )
            .help("give it `values`, `absent = true` or an `other` regular expression"),
        );
        return None;
    }
    Some(ParamDomain {
        param_type,
        values,
        absent,
        other,
    })
}

/// The type of a parameter a scenario may declare: `transport`, or a non-id parameter of the
/// operation.
fn declared_type(
    key: &Key<'_>,
    spec: &OperationSpec,
    problems: &mut Problems,
) -> Option<ParamType> {
    let name = key.get_ref().as_ref();
    if name == TRANSPORT_PARAM {
        return Some(ParamType::Str);
    }

    match spec.param(name) {
        Some(param) if param.is_id => {
            problems.push(
                Problem::new(
                    InvalidParameter,
                    key.span(),
                    format!("`{name}` identifies a resource and cannot be declared"),
                    "resource id",
                )
                .help("ids are filled in at run time, from fixtures or from the request"),
            );
            None
        }
        Some(param) => Some(param.param_type),
        None => {
            problems.push(
                Problem::new(
                    InvalidParameter,
                    key.span(),
                    format!(
                        "unknown parameter `{name}` for `{operation}`",
                        operation = spec.name
                    ),
                    "unknown parameter",
                )
                .help(format!(
                    "parameters of `{}`: {}",
                    spec.name,
                    declarable_params(spec)
                )),
            );
            None
        }
    }
}

/// The parameters of `spec` a scenario may declare, in backticks.
pub(super) fn declarable_params(spec: &OperationSpec) -> String {
    let names = spec
        .params
        .iter()
        .filter(|param| !param.is_id)
        .map(|param| param.name);
    names
        .chain([TRANSPORT_PARAM])
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn read_values(
    table: &Table<'_, '_>,
    name: &str,
    param_type: ParamType,
    problems: &mut Problems,
) -> Vec<ParamValue> {
    let Some((items, _)) = table.optional_array("values", problems) else {
        return Vec::new();
    };

    let mut values: Vec<ParamValue> = Vec::new();
    for item in items.iter() {
        let Some(value) = param_value(item, name, param_type, problems) else {
            continue;
        };
        if values.contains(&value) {
            problems.push(Problem::new(
                InvalidValue,
                item.span(),
                format!("value `{value}` of `{name}` is listed twice"),
                "duplicate",
            ));
        } else if name == TRANSPORT_PARAM && !TRANSPORTS.contains(&value.to_string().as_str()) {
            problems.push(
                Problem::new(
                    InvalidValue,
                    item.span(),
                    format!("unknown transport `{value}`"),
                    "not a transport",
                )
                .help("`transport` is `\"http\"` or `\"https\"`"),
            );
        } else {
            values.push(value);
        }
    }
    values
}

/// One listed value, which must have the parameter's type.
fn param_value(
    item: &Value<'_>,
    name: &str,
    param_type: ParamType,
    problems: &mut Problems,
) -> Option<ParamValue> {
    let value = match (param_type, item.get_ref()) {
        (ParamType::Bool, DeValue::Boolean(flag)) => Some(ParamValue::Bool(*flag)),
        (ParamType::Str, DeValue::String(text)) => Some(ParamValue::Str(text.to_string())),
        (ParamType::Int, DeValue::Integer(integer)) => {
            let parsed = i64::from_str_radix(integer.as_str(), integer.radix()).ok();
            if parsed.is_none() {
                problems.push(Problem::new(
                    InvalidValue,
                    item.span(),
                    format!("value of `{name}` is not a 64-bit integer"),
                    "out of range",
                ));
            }
            return parsed.map(ParamValue::Int);
        }
        _ => None,
    };

    if value.is_none() {
        let found = with_article(item.get_ref().type_str());
        problems.push(
            Problem::new(
                InvalidValue,
                item.span(),
                format!("`{name}` is a {param_type} parameter, found {found} value"),
                found.clone(),
            )
            .help(format!("every value of `{name}` must be a {param_type}")),
        );
    }
    value
}

fn read_absent(
    table: &Table<'_, '_>,
    name: &str,
    spec: &OperationSpec,
    problems: &mut Problems,
) -> bool {
    let absent = table.optional_bool("absent", problems).unwrap_or(false);
    let required = name == TRANSPORT_PARAM || spec.param(name).is_some_and(|param| param.required);
    if absent && required {
        let span = table
            .get("absent")
            .map_or_else(|| table.span(), |value| value.span());
        problems.push(
            Problem::new(
                InvalidValue,
                span,
                format!(
                    "`{name}` is sent with every `{}` call and cannot be absent",
                    spec.name
                ),
                "cannot be absent",
            )
            .help("remove `absent = true`"),
        );
    }
    absent
}

fn read_other(
    table: &Table<'_, '_>,
    name: &str,
    param_type: ParamType,
    problems: &mut Problems,
) -> Option<String> {
    let value = table.get("other")?;
    let regex = string(value, "other", problems)?;

    if param_type != ParamType::Str || name == TRANSPORT_PARAM {
        problems.push(
            Problem::new(
                InvalidValue,
                value.span(),
                format!("`other` is not allowed for `{name}`"),
                "not allowed here",
            )
            .help("`other` draws random strings, for string parameters other than `transport`"),
        );
        return None;
    }
    match proptest::string::string_regex(regex.get_ref()) {
        Ok(_) => Some(regex.into_inner()),
        Err(error) => {
            problems.push(
                Problem::new(
                    InvalidValue,
                    value.span(),
                    format!("`other` of `{name}` is not a usable regular expression"),
                    "invalid",
                )
                .help(regex_reason(&error.to_string())),
            );
            None
        }
    }
}

/// The last line of a regular expression error, which says what is wrong without repeating
/// the expression.
fn regex_reason(message: &str) -> String {
    let line = message
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(message);
    line.trim().trim_start_matches("error: ").to_owned()
}
