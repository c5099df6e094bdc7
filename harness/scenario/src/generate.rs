//! Case generation: reproducible parameter sets drawn from a scenario operation's domains.

use proptest::strategy::{BoxedStrategy, Just, Strategy, Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::scenario::{ParamDomain, ScenarioOperation};
use crate::{ParamValue, Params};

/// `count` cases for `op`, the same for the same seed.
///
/// Every case carries every declared parameter unless its domain allows it to be absent, and
/// always `transport`. Each listed value, absence and the `other` strings are equally likely
/// choices for a parameter.
pub fn generate_cases(op: &ScenarioOperation, seed: u64, count: usize) -> Vec<Params> {
    let strategy = case_strategy(op);
    let mut runner = TestRunner::new_with_rng(Config::default(), seeded_rng(seed));

    let mut cases = Vec::with_capacity(count);
    for _ in 0..count {
        // The strategies neither filter nor reject, so drawing a value cannot fail; were it to,
        // the case would be skipped rather than invented.
        if let Ok(tree) = strategy.new_tree(&mut runner) {
            cases.push(tree.current());
        }
    }
    cases
}

/// A ChaCha generator whose 32-byte seed is `seed` in little-endian order followed by zeros.
fn seeded_rng(seed: u64) -> TestRng {
    let mut bytes = [0_u8; 32];
    for (byte, seed_byte) in bytes.iter_mut().zip(seed.to_le_bytes()) {
        *byte = seed_byte;
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn case_strategy(op: &ScenarioOperation) -> BoxedStrategy<Params> {
    let params: Vec<BoxedStrategy<Option<(String, ParamValue)>>> = op
        .params()
        .iter()
        .map(|(name, domain)| {
            let name = name.clone();
            domain_strategy(domain)
                .prop_map(move |value| value.map(|value| (name.clone(), value)))
                .boxed()
        })
        .collect();

    params
        .prop_map(|pairs| pairs.into_iter().flatten().collect::<Params>())
        .boxed()
}

/// One choice per listed value, one for absence and one for the `other` strings.
fn domain_strategy(domain: &ParamDomain) -> BoxedStrategy<Option<ParamValue>> {
    let mut choices: Vec<BoxedStrategy<Option<ParamValue>>> = domain
        .values()
        .iter()
        .map(|value| Just(Some(value.clone())).boxed())
        .collect();
    if domain.absent() {
        choices.push(Just(None).boxed());
    }
    // A loaded scenario's regular expression has been compiled once already, so it compiles.
    if let Some(Ok(strings)) = domain.other().map(proptest::string::string_regex) {
        choices.push(strings.prop_map(|text| Some(ParamValue::Str(text))).boxed());
    }

    if choices.is_empty() {
        // Loading refuses empty domains; an empty one here yields an absent parameter.
        return Just(None).boxed();
    }
    Union::new(choices).boxed()
}
