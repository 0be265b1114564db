// The scheduler profile the classroom can tune (a slice of KubeSchedulerConfiguration): the
// NodeResourcesFit scoring strategy, score plugin weights, disabled plugins and percentageOfNodesToScore.
// Defaults are those of pkg/scheduler/apis/config/v1 (default_plugins.go, defaults.go).
import { type Plugin, isFilterPlugin, isPostFilterPlugin, isScorePlugin } from "./framework";
import { DEFAULT_PLUGINS } from "./plugins/registry";

export interface SchedulerProfile {
  scoringStrategy: {
    type: "LeastAllocated" | "MostAllocated" | "RequestedToCapacityRatio";
    resources: { name: string; weight: number }[];
    shape?: { utilization: number; score: number }[];
  };
  pluginWeights: Record<string, number>;
  disabledPlugins: string[];
  /** 0 or absent: adaptive, as kube-scheduler's default. */
  percentageOfNodesToScore?: number;
}

// The names a profile may use, from the registry: its plugins by extension point, in the default profile's order.
const namesOf = (has: (p: Plugin) => boolean): readonly string[] => DEFAULT_PLUGINS.filter(has).map((p) => p.name);
export const FILTER_PLUGINS = namesOf(isFilterPlugin);
export const SCORE_PLUGINS = namesOf(isScorePlugin);
export const ALL_PLUGINS = [...new Set<string>([...FILTER_PLUGINS, ...SCORE_PLUGINS, ...namesOf(isPostFilterPlugin)])];

export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1,
};
const STRATEGIES = ["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"] as const;

export function defaultProfile(): SchedulerProfile {
  return {
    scoringStrategy: { type: "LeastAllocated", resources: [{ name: "cpu", weight: 1 }, { name: "memory", weight: 1 }] },
    pluginWeights: { ...DEFAULT_WEIGHTS },
    disabledPlugins: [],
    percentageOfNodesToScore: 0,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const quote = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));
// field.ErrorList texts: "<path>: Invalid value: <v>: <detail>" and friends.
const invalid = (path: string, v: unknown, detail: string) => `${path}: Invalid value: ${quote(v)}: ${detail}`;
const required = (path: string, detail: string) => `${path}: Required value: ${detail}`;
const unsupported = (path: string, v: unknown, ok: readonly string[]) => `${path}: Unsupported value: ${quote(v)}: supported values: ${ok.map((s) => `"${s}"`).join(", ")}`;

/**
 * Checks a profile (as JSON) and fills defaults for omitted fields; errors use the apimachinery field error
 * forms and the real NodeResourcesFitArgs rules (weights 1..100, shape utilization 0..100 increasing, score 0..10).
 */
export function validateProfile(p: unknown): { profile?: SchedulerProfile; errors: string[] } {
  const errors: string[] = [];
  if (!isObj(p)) return { errors: ["profile: Invalid value: must be an object"] };
  const def = defaultProfile();
  const out: SchedulerProfile = def;

  if (p.scoringStrategy !== undefined) {
    const ss = p.scoringStrategy;
    if (!isObj(ss)) errors.push(invalid("scoringStrategy", ss, "must be an object"));
    else {
      const type = ss.type ?? "LeastAllocated";
      if (!STRATEGIES.includes(type as never)) errors.push(unsupported("scoringStrategy.type", type, STRATEGIES));
      else out.scoringStrategy.type = type as SchedulerProfile["scoringStrategy"]["type"];
      if (ss.resources !== undefined) {
        if (!Array.isArray(ss.resources)) errors.push(invalid("scoringStrategy.resources", ss.resources, "must be a list"));
        else {
          const seen = new Set<string>();
          out.scoringStrategy.resources = [];
          ss.resources.forEach((r: unknown, i: number) => {
            const path = `scoringStrategy.resources[${i}]`;
            if (!isObj(r) || typeof r.name !== "string" || r.name === "") { errors.push(required(`${path}.name`, "")); return; }
            if (seen.has(r.name)) errors.push(`${path}.name: Duplicate value: ${quote(r.name)}`);
            seen.add(r.name);
            const w = r.weight ?? 1;
            if (!isInt(w) || w <= 0 || w > 100) errors.push(invalid(`${path}.weight`, w, `resource weight of ${r.name} not in valid range [1, 100]`));
            out.scoringStrategy.resources.push({ name: r.name, weight: Number(w) });
          });
        }
      }
      if (out.scoringStrategy.type === "RequestedToCapacityRatio") {
        const shape = ss.shape;
        if (!Array.isArray(shape) || shape.length === 0) errors.push(required("scoringStrategy.shape", "at least one point must be specified"));
        else {
          const pts = shape.map((s: unknown) => (isObj(s) ? { utilization: s.utilization as number, score: s.score as number } : { utilization: NaN, score: NaN }));
          for (let i = 1; i < pts.length; i++) {
            if (!(pts[i - 1].utilization < pts[i].utilization)) {
              errors.push(invalid(`scoringStrategy.shape[${i}].utilization`, pts[i].utilization, "utilization values must be sorted in increasing order"));
              break;
            }
          }
          pts.forEach((pt, i) => {
            if (!isInt(pt.utilization) || pt.utilization < 0 || pt.utilization > 100) errors.push(invalid(`scoringStrategy.shape[${i}].utilization`, pt.utilization, "not in valid range [0, 100]"));
            if (!isInt(pt.score) || pt.score < 0 || pt.score > 10) errors.push(invalid(`scoringStrategy.shape[${i}].score`, pt.score, "not in valid range [0, 10]"));
          });
          out.scoringStrategy.shape = pts;
        }
      } else if (ss.shape !== undefined) {
        errors.push(invalid("scoringStrategy.shape", "", "shape is only used by the RequestedToCapacityRatio strategy"));
      }
    }
  }

  if (p.pluginWeights !== undefined) {
    if (!isObj(p.pluginWeights)) errors.push(invalid("pluginWeights", p.pluginWeights, "must be an object"));
    else for (const [name, w] of Object.entries(p.pluginWeights)) {
      if (!SCORE_PLUGINS.includes(name)) errors.push(unsupported(`pluginWeights[${name}]`, name, SCORE_PLUGINS));
      else if (!isInt(w) || w < 1 || w > 100) errors.push(invalid(`pluginWeights[${name}]`, w, "not in valid range [1, 100]"));
      else out.pluginWeights[name] = w;
    }
  }

  if (p.disabledPlugins !== undefined) {
    if (!Array.isArray(p.disabledPlugins)) errors.push(invalid("disabledPlugins", p.disabledPlugins, "must be a list"));
    else p.disabledPlugins.forEach((n: unknown, i: number) => {
      if (typeof n !== "string" || !ALL_PLUGINS.includes(n)) errors.push(unsupported(`disabledPlugins[${i}]`, n, ALL_PLUGINS));
      else if (!out.disabledPlugins.includes(n)) out.disabledPlugins.push(n);
    });
  }

  if (p.percentageOfNodesToScore !== undefined) {
    const v = p.percentageOfNodesToScore;
    if (!isInt(v) || v < 0 || v > 100) errors.push(invalid("percentageOfNodesToScore", v, "not in valid range [0, 100]"));
    else out.percentageOfNodesToScore = v;
  }

  for (const k of Object.keys(p)) {
    if (!["scoringStrategy", "pluginWeights", "disabledPlugins", "percentageOfNodesToScore"].includes(k)) errors.push(`${k}: Forbidden: unknown field`);
  }
  return errors.length ? { errors } : { profile: out, errors };
}
