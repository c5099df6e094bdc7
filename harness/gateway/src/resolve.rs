//! Filling in what the wire does not say: the facts a call's decision depends on that live in
//! the emulator, turned into the catalogue's parameters.

use scpcheck_scenario::{ParamValue, Params};

use crate::ec2_state::{AttachedVolume, Ec2State};
use crate::emulator::EmulatorError;
use crate::wire::{DeviceMapping, ParsedCall, Pending};

/// The parameter sets to decide the call with: the call's own parameters first, then one set
/// per further volume whose encryption differs, because AWS checks `ec2:Encrypted` on every
/// volume (and snapshot) a call touches, while the catalogue's parameters describe one.
pub(crate) async fn parameter_sets(
    call: &ParsedCall,
    ec2: &Ec2State<'_>,
) -> Result<Vec<Params>, EmulatorError> {
    let Some(pending) = &call.pending else {
        return Ok(vec![call.params.clone()]);
    };

    match pending {
        Pending::ImageRootDevice { image_id, mappings } => {
            let root_device = ec2.image_root_device(image_id).await?;
            Ok(run_instances_sets(
                &call.params,
                root_device.as_deref(),
                mappings,
            ))
        }
        Pending::VolumeEncryption { volume_id } => {
            let encrypted = ec2.volumes_encrypted(&[volume_id]).await?;
            let mut params = call.params.clone();
            if let Some(value) = encrypted.get(volume_id) {
                params.insert(SOURCE_ENCRYPTED.to_owned(), ParamValue::Bool(*value));
            }
            Ok(vec![params])
        }
        Pending::InstanceVolumes { instance_id } => {
            let volumes = ec2.instance_volumes(instance_id).await?;
            Ok(create_snapshots_sets(&call.params, &volumes))
        }
    }
}

const ROOT_ENCRYPTED: &str = "root_volume_encrypted";
const SOURCE_ENCRYPTED: &str = "source_volume_encrypted";

/// `root_volume_encrypted` is the `Ebs.Encrypted` of the mapping that names the image's root
/// device, absent when no mapping names it or the mapping leaves it out. Other mappings that
/// state their encryption add a set each.
fn run_instances_sets(
    params: &Params,
    root_device: Option<&str>,
    mappings: &[DeviceMapping],
) -> Vec<Params> {
    let is_root = |mapping: &DeviceMapping| Some(mapping.device_name.as_str()) == root_device;

    let mut primary = params.clone();
    if let Some(encrypted) = mappings
        .iter()
        .find(|m| is_root(m))
        .and_then(|m| m.encrypted)
    {
        primary.insert(ROOT_ENCRYPTED.to_owned(), ParamValue::Bool(encrypted));
    }
    let others = mappings
        .iter()
        .filter(|mapping| !is_root(mapping))
        .filter_map(|mapping| mapping.encrypted);
    with_variants(primary, ROOT_ENCRYPTED, others)
}

/// `source_volume_encrypted` is the root volume's encryption; the other attached volumes add a
/// set each.
fn create_snapshots_sets(params: &Params, volumes: &[AttachedVolume]) -> Vec<Params> {
    // Limitation: `ExcludeBootVolume` and `ExcludeDataVolumes` are not read; every attached
    // volume is evaluated, so a call that excludes an unencrypted volume is still denied.
    let mut primary = params.clone();
    if let Some(root) = volumes.iter().find(|volume| volume.is_root) {
        primary.insert(
            SOURCE_ENCRYPTED.to_owned(),
            ParamValue::Bool(root.encrypted),
        );
    }
    let others = volumes
        .iter()
        .filter(|volume| !volume.is_root)
        .map(|volume| volume.encrypted);
    with_variants(primary, SOURCE_ENCRYPTED, others)
}

/// `primary`, then a copy with `name` set to each further value not seen yet.
fn with_variants(primary: Params, name: &str, values: impl Iterator<Item = bool>) -> Vec<Params> {
    let mut sets = vec![primary.clone()];
    for value in values {
        let mut variant = primary.clone();
        variant.insert(name.to_owned(), ParamValue::Bool(value));
        if !sets.contains(&variant) {
            sets.push(variant);
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(device_name: &str, encrypted: Option<bool>) -> DeviceMapping {
        DeviceMapping {
            device_name: device_name.to_owned(),
            encrypted,
        }
    }

    fn image() -> Params {
        Params::from([("image_id".to_owned(), ParamValue::Str("ami-1".to_owned()))])
    }

    fn with(params: &Params, name: &str, value: bool) -> Params {
        let mut params = params.clone();
        params.insert(name.to_owned(), ParamValue::Bool(value));
        params
    }

    #[test]
    fn root_mapping_sets_root_encryption() {
        let mappings = [mapping("/dev/xvda", Some(true))];
        let sets = run_instances_sets(&image(), Some("/dev/xvda"), &mappings);
        assert_eq!(sets, [with(&image(), ROOT_ENCRYPTED, true)]);
    }

    #[test]
    fn no_root_mapping_leaves_root_encryption_absent() {
        let mappings = [mapping("/dev/sdb", None)];
        assert_eq!(
            run_instances_sets(&image(), Some("/dev/xvda"), &mappings),
            [image()]
        );
        assert_eq!(run_instances_sets(&image(), None, &[]), [image()]);
    }

    #[test]
    fn differing_data_volumes_add_sets() {
        let mappings = [
            mapping("/dev/xvda", Some(true)),
            mapping("/dev/sdb", Some(true)),
            mapping("/dev/sdc", Some(false)),
        ];
        let sets = run_instances_sets(&image(), Some("/dev/xvda"), &mappings);
        assert_eq!(
            sets,
            [
                with(&image(), ROOT_ENCRYPTED, true),
                with(&image(), ROOT_ENCRYPTED, false)
            ]
        );
    }

    #[test]
    fn snapshots_follow_the_root_volume() {
        let volume = |id: &str, encrypted: bool, is_root: bool| AttachedVolume {
            device_name: format!("/dev/{id}"),
            volume_id: id.to_owned(),
            encrypted,
            is_root,
        };
        let params = Params::from([("instance_id".to_owned(), ParamValue::Str("i-1".to_owned()))]);
        let volumes = [volume("vol-2", false, false), volume("vol-1", true, true)];
        let sets = create_snapshots_sets(&params, &volumes);
        assert_eq!(
            sets,
            [
                with(&params, SOURCE_ENCRYPTED, true),
                with(&params, SOURCE_ENCRYPTED, false)
            ]
        );
    }
}
