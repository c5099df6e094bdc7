//! Proptest strategies for whole cases: organizations of one to four levels with one to three
//! SCPs each, statements over the whole policy language the evaluator supports, and requests
//! drawn from the same vocabularies.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use scpcheck_policy::Effect;

use crate::case::{
    Case, ConditionDocument, Element, KeyValue, Level, PolicyDocument, Principal, Scp,
    StatementDocument,
};
use crate::vocabulary::{
    ACTION_PATTERNS, ACTIONS, Family, KEYS, KeyDefinition, KeyKind, RESOURCE_PATTERNS, RESOURCES,
};

/// A whole case: an organization and a request.
pub fn case() -> impl Strategy<Value = Case> {
    (
        vec(level(), 1..=4),
        principal(),
        select(ACTIONS),
        select(RESOURCES),
        context(),
    )
        .prop_map(|(levels, principal, action, resource, context)| Case {
            levels,
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            context,
        })
}

fn level() -> impl Strategy<Value = Level> {
    vec(scp(), 1..=3).prop_map(|policies| Level { policies })
}

fn scp() -> impl Strategy<Value = Scp> {
    prop_oneof![
        1 => Just(Scp::FullAwsAccess),
        2 => document().prop_map(Scp::Document),
    ]
}

/// A generated policy document.
pub fn document() -> impl Strategy<Value = PolicyDocument> {
    let version = prop_oneof![
        18 => Just(Some("2012-10-17".to_owned())),
        1 => Just(Some("2008-10-17".to_owned())),
        1 => Just(None),
    ];
    (version, vec(statement(), 1..=3)).prop_map(|(version, statements)| PolicyDocument {
        version,
        statements,
    })
}

fn statement() -> impl Strategy<Value = StatementDocument> {
    let effect = prop_oneof![3 => Just(Effect::Deny), 2 => Just(Effect::Allow)];
    (
        effect,
        element(ACTION_PATTERNS),
        element(RESOURCE_PATTERNS),
        vec(condition(), 0..=3),
    )
        .prop_map(|(effect, action, resource, conditions)| StatementDocument {
            effect,
            action,
            resource,
            conditions: one_per_operator_and_key(conditions),
        })
}

/// Keeps the first condition of each operator and key: a policy holds each key once per
/// operator (ignoring letter case), as a JSON object cannot hold it twice.
fn one_per_operator_and_key(conditions: Vec<ConditionDocument>) -> Vec<ConditionDocument> {
    let mut kept: Vec<ConditionDocument> = Vec::with_capacity(conditions.len());
    for condition in conditions {
        let repeated = kept.iter().any(|earlier| {
            earlier.operator == condition.operator
                && earlier.key.eq_ignore_ascii_case(&condition.key)
        });
        if !repeated {
            kept.push(condition);
        }
    }
    kept
}

fn element(patterns: &'static [&'static str]) -> impl Strategy<Value = Element> {
    (prop::bool::weighted(0.15), vec(select(patterns), 1..=2)).prop_map(|(negated, patterns)| {
        Element {
            negated,
            patterns: patterns.into_iter().map(str::to_owned).collect(),
        }
    })
}

/// One condition: a family, an operator of it with its prefix and suffix, a key that usually
/// suits the family, and one to three values.
// Limitation: every policy value is written as a JSON string; JSON booleans and numbers
// (`"Bool": {"aws:SecureTransport": false}`), which both evaluators also accept, are not
// generated, so their reading is not compared.
pub fn condition() -> impl Strategy<Value = ConditionDocument> {
    (select(Family::ALL.to_vec()), prop::bool::weighted(0.75))
        .prop_flat_map(|(family, suitable)| {
            let keys: Vec<&'static KeyDefinition> = KEYS
                .iter()
                .filter(|key| {
                    let strict = suitable || family.keeps_to_its_keys();
                    !strict || family.key_kinds().contains(&key.kind)
                })
                .collect();
            (
                Just(family),
                select(family.operators()),
                select(keys),
                qualifier(family),
                prop::bool::weighted(if family == Family::Null { 0.0 } else { 0.25 }),
                prop::bool::weighted(0.15),
            )
        })
        .prop_flat_map(|(family, base, key, qualifier, if_exists, lowercase)| {
            let operator = format!(
                "{qualifier}{base}{suffix}",
                suffix = if if_exists { "IfExists" } else { "" }
            );
            let name = if lowercase {
                key.name.to_ascii_lowercase()
            } else {
                key.name.to_owned()
            };
            (
                Just(operator),
                Just(name),
                vec(select(policy_values(family, key)), 1..=3),
            )
        })
        .prop_map(|(operator, key, values)| ConditionDocument {
            operator,
            key,
            values: dedup(values).into_iter().map(str::to_owned).collect(),
        })
}

fn qualifier(family: Family) -> BoxedStrategy<&'static str> {
    if family == Family::Null {
        return Just("").boxed();
    }
    prop_oneof![
        6 => Just(""),
        2 => Just("ForAllValues:"),
        2 => Just("ForAnyValue:"),
    ]
    .boxed()
}

/// The family's policy values, and for a key of a suitable kind (or `Null`) the values the
/// request may carry, so that comparisons often succeed.
fn policy_values(family: Family, key: &KeyDefinition) -> Vec<&'static str> {
    let mut values: Vec<&'static str> = family.policy_values().to_vec();
    let suits = family.key_kinds().contains(&key.kind);
    if suits && family != Family::Null {
        values.extend(key.values.iter().copied());
    }
    dedup(values)
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// Mostly an ordinary role: SCPs do not apply to the other two, so their cases only check that.
fn principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        38 => Just(Principal::Member),
        1 => Just(Principal::ServiceLinkedRole),
        1 => Just(Principal::Management),
    ]
}

/// Each key of the vocabulary is present with probability 0.6.
fn context() -> impl Strategy<Value = Vec<(String, KeyValue)>> {
    let entries: Vec<BoxedStrategy<Option<(String, KeyValue)>>> = KEYS
        .iter()
        .map(|key| {
            let name = key.name.to_owned();
            option::weighted(0.6, key_value(key))
                .prop_map(move |value| value.map(|value| (name.clone(), value)))
                .boxed()
        })
        .collect();
    entries.prop_map(|entries| entries.into_iter().flatten().collect())
}

fn key_value(key: &'static KeyDefinition) -> BoxedStrategy<KeyValue> {
    if key.kind == KeyKind::List {
        vec(select(key.values), 0..=3)
            .prop_map(|values| {
                KeyValue::Multi(dedup(values).into_iter().map(str::to_owned).collect())
            })
            .boxed()
    } else {
        select(key.values)
            .prop_map(|value| KeyValue::Single(value.to_owned()))
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::TestRunner;

    use super::*;
    use crate::case::PolicyCache;

    #[test]
    fn every_generated_case_parses() {
        let mut runner = TestRunner::deterministic();
        let mut cache = PolicyCache::new();
        let strategy = case();
        for _ in 0..2_000 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            if let Err(errors) = case.organization(&mut cache) {
                panic!("{case:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let cases = |seed: u64| {
            let mut runner =
                TestRunner::new_with_rng(Default::default(), crate::compare::rng(seed));
            let strategy = case();
            (0..50)
                .map(|_| strategy.new_tree(&mut runner).unwrap().current())
                .collect::<Vec<_>>()
        };
        assert_eq!(cases(5), cases(5));
        assert_ne!(cases(5), cases(6));
    }

    #[test]
    fn conditions_cover_every_family_with_prefixes_and_suffixes() {
        let mut runner = TestRunner::deterministic();
        let strategy = condition();
        let mut families = std::collections::BTreeSet::new();
        let (mut any, mut all, mut if_exists) = (false, false, false);
        for _ in 0..2_000 {
            let condition = strategy.new_tree(&mut runner).unwrap().current();
            let base = condition.operator.rsplit(':').next().unwrap();
            let base = base.strip_suffix("IfExists").unwrap_or(base);
            families.insert(Family::of(base).unwrap());
            any |= condition.operator.starts_with("ForAnyValue:");
            all |= condition.operator.starts_with("ForAllValues:");
            if_exists |= condition.operator.ends_with("IfExists");
        }
        assert_eq!(families.len(), Family::ALL.len());
        assert!(any && all && if_exists);
    }
}
