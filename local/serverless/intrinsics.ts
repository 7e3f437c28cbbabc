import type { CfnValue } from '../../stage/resolved-config';

/** What a provisioned resource answers to `Ref` and `Fn::GetAtt`. */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** moto's defaults: one account, one region. */
export const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Resolves the few CloudFormation intrinsics our resources/ use (Ref, Fn::GetAtt, Fn::Sub,
 * Fn::Join) against resources already provisioned locally. Anything else is an error, so a
 * new intrinsic in resources/ is noticed instead of passed to moto verbatim.
 */
export function resolveIntrinsics(value: CfnValue, physical: ReadonlyMap<string, PhysicalResource>): CfnValue {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, physical));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, CfnValue>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return resolveFunction(first[0], first[1], physical);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, physical)]));
}

function resolveFunction(name: string, arg: CfnValue, physical: ReadonlyMap<string, PhysicalResource>): string {
  switch (name) {
    case 'Ref':
      return lookup(String(arg), undefined, physical);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return lookup(String(logicalId), String(attribute), physical);
    }
    case 'Fn::Sub':
      if (typeof arg !== 'string') throw new Error('Fn::Sub with a variable map is not supported locally');
      return arg.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
        const [logicalId, ...attribute] = expr.split('.');
        return lookup(String(logicalId), attribute.length > 0 ? attribute.join('.') : undefined, physical);
      });
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, CfnValue[]];
      return parts.map((p) => String(resolveIntrinsics(p, physical))).join(separator);
    }
    default:
      throw new Error(`intrinsic ${name} is not supported by the local provisioner`);
  }
}

function lookup(
  logicalId: string,
  attribute: string | undefined,
  physical: ReadonlyMap<string, PhysicalResource>,
): string {
  const pseudo = LOCAL_PSEUDO_PARAMETERS[logicalId];
  if (pseudo !== undefined && attribute === undefined) return pseudo;
  const resource = physical.get(logicalId);
  if (resource === undefined) throw new Error(`${logicalId} is referenced but has not been provisioned locally`);
  if (attribute === undefined) return resource.ref;
  const value = resource.attributes[attribute];
  if (value === undefined) throw new Error(`${logicalId}.${attribute} is not known locally`);
  return value;
}
