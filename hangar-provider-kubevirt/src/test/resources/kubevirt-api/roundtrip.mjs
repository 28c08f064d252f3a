// Round-trips every *.json file of a directory (a VirtualMachine or a DataVolume as Hangar writes
// it) through KubeVirt's published API model: FromJSON then ToJSON, as a client of KubeVirt's
// OpenAPI would read and write it. A field the model does not know is dropped by that trip, so
// every difference is reported: "lost" (a misspelled or misplaced field), "changed" or "added".
// Exit status 1 when any object differs. Usage: node roundtrip.mjs DIR
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { V1VirtualMachineFromJSON, V1VirtualMachineToJSON } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import {
  V1beta1DataVolumeFromJSON,
  V1beta1DataVolumeToJSON,
} from '@kubevirt-ui-ext/kubevirt-api/containerized-data-importer';

const models = {
  VirtualMachine: (o) => V1VirtualMachineToJSON(V1VirtualMachineFromJSON(o)),
  DataVolume: (o) => V1beta1DataVolumeToJSON(V1beta1DataVolumeFromJSON(o)),
};

function diff(path, want, got, out) {
  if (want !== null && typeof want === 'object') {
    if (got === undefined) {
      out.push(`lost ${path}`);
      return;
    }
    if (typeof got !== 'object' || got === null || Array.isArray(want) !== Array.isArray(got)) {
      out.push(`changed ${path}: ${JSON.stringify(want)} -> ${JSON.stringify(got)}`);
      return;
    }
    for (const key of Object.keys(want)) diff(`${path}.${key}`, want[key], got[key], out);
    for (const key of Object.keys(got)) if (!(key in want)) out.push(`added ${path}.${key}`);
    return;
  }
  if (got === undefined) out.push(`lost ${path}`);
  else if (want !== got) out.push(`changed ${path}: ${JSON.stringify(want)} -> ${JSON.stringify(got)}`);
}

const dir = process.argv[2];
let bad = 0;
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
for (const file of files) {
  const original = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const model = models[original.kind];
  if (!model) {
    console.log(`${file}: no model for kind ${original.kind}`);
    bad++;
    continue;
  }
  const trip = JSON.parse(JSON.stringify(model(original)));
  const problems = [];
  diff('', original, trip, problems);
  if (problems.length > 0) bad++;
  console.log(`${file} (${original.kind}): ${problems.length === 0 ? 'round-trips unchanged' : problems.join('; ')}`);
}
console.log(`round trip: ${files.length} objects, ${bad} with differences`);
process.exit(bad === 0 && files.length > 0 ? 0 : 1);
