// ValidatePodUpdate (v1.32): a running pod's spec is immutable except for container images,
// activeDeadlineSeconds (lowered or set), added tolerations, removed scheduling gates and a
// terminationGracePeriodSeconds fix-up.
import type { StatusCause } from "../types";
import { arr, child, forbidden, inclusiveRange, index, invalid, isObj, required, str, type Obj } from "./helpers";
import { deepEqual } from "./workloads";

const MAX_INT32 = 2147483647;

const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`," +
  "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)," +
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function containerUpdates(n: unknown, o: unknown, field: string): { errs: StatusCause[]; stop: boolean } {
  const nl = arr(n), ol = arr(o);
  if (nl.length !== ol.length) return { errs: [forbidden(field, "pod updates may not add or remove containers")], stop: true };
  return { errs: nl.flatMap((c, i) => (str(c?.image) ? [] : [required(child(index(field, i), "image"))])), stop: false };
}

/** Go prints a cmp.Diff of the two specs; this is a short stand-in listing the changed top-level fields. */
function shortDiff(old: Obj, munged: Obj): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(munged)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (deepEqual(old[k], munged[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(old[k])},`);
    if (munged[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(munged[k])},`);
  }
  return `  core.PodSpec{\n${lines.join("\n")}\n  }\n`;
}

export function validatePodUpdate(obj: Obj, old: Obj): StatusCause[] {
  const n: Obj = isObj(obj.spec) ? obj.spec : {}, o: Obj = isObj(old.spec) ? old.spec : {};
  const out: StatusCause[] = [];
  for (const f of ["containers", "initContainers"]) {
    const r = containerUpdates(n[f], o[f], child("spec", f));
    out.push(...r.errs);
    if (r.stop) return out;
  }
  const ads = n.activeDeadlineSeconds, oads = o.activeDeadlineSeconds;
  if (typeof ads === "number") {
    if (ads < 0 || ads > MAX_INT32) return [...out, invalid("spec.activeDeadlineSeconds", ads, inclusiveRange(0, MAX_INT32))];
    if (typeof oads === "number" && oads < ads) return [...out, invalid("spec.activeDeadlineSeconds", ads, "must be less than or equal to previous value")];
  } else if (typeof oads === "number") {
    out.push(invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
  }
  // Tolerations: every old one must still be there (only tolerationSeconds may differ).
  const nt = arr(n.tolerations);
  for (const t of arr(o.tolerations)) {
    if (!nt.some((x) => deepEqual({ ...t, tolerationSeconds: x?.tolerationSeconds }, x))) {
      out.push(forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // Scheduling gates may only be removed.
  const oldGates = new Set(arr(o.schedulingGates).map((g) => str(g?.name)));
  arr(n.schedulingGates).forEach((g, i) => {
    if (!oldGates.has(str(g?.name))) {
      out.push(forbidden(child(index("spec.schedulingGates", i), "name"), `only deletion is allowed, but found new scheduling gate '${str(g?.name)}'`));
    }
  });
  if (deepEqual(n, o)) return out;
  const munged: Obj = structuredClone(n);
  for (const f of ["containers", "initContainers"]) {
    arr(munged[f]).forEach((c, i) => { if (isObj(c)) c.image = arr(o[f])[i]?.image; });
  }
  for (const f of ["activeDeadlineSeconds", "tolerations", "schedulingGates", "ephemeralContainers"]) {
    if (o[f] === undefined) delete munged[f]; else munged[f] = o[f];
  }
  if (typeof o.terminationGracePeriodSeconds === "number" && o.terminationGracePeriodSeconds < 0 && n.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  }
  // Binding sets spec.nodeName on an unscheduled pod (the lead's store writes it through update).
  if (!str(o.nodeName) && str(n.nodeName)) munged.nodeName = o.nodeName;
  if (!deepEqual(munged, o)) out.push(forbidden("spec", `${POD_UPDATE_FORBIDDEN}\n${shortDiff(o, munged)}`));
  return out;
}
