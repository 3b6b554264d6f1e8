// Kernel command lines from a role's template: `{name}` placeholders filled from the host,
// its role and its image. Pure. An unknown placeholder is left as written and reported, so a
// typo in a template shows up on the host's page instead of silently vanishing.

export const cmdlineVariableNames = [
  'hostname', 'ip', 'mac', 'role', 'rootMode', 'kernelUrl', 'initrdUrl', 'rootfsUrl',
  'rootfsSha256', 'bootdUrl', 'hostId', 'nfsExport', 'diskRoot',
] as const;
export type CmdlineVariable = (typeof cmdlineVariableNames)[number];
export type CmdlineVariables = Record<CmdlineVariable, string>;

export interface RenderedCmdline {
  cmdline: string;
  unknownVariables: string[];
}

const knownNames = new Set<string>(cmdlineVariableNames);

export function renderCmdline(template: string, vars: CmdlineVariables): RenderedCmdline {
  const unknownVariables: string[] = [];
  const cmdline = template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    if (!knownNames.has(name)) {
      unknownVariables.push(name);
      return whole;
    }
    return vars[name as CmdlineVariable];
  });
  return { cmdline: cmdline.replace(/\s+/g, ' ').trim(), unknownVariables };
}

/** Appends `key=value` unless the command line already sets that key (the template wins). */
export function withParameter(cmdline: string, key: string, value: string): string {
  const present = cmdline.split(' ').some((word) => word === key || word.startsWith(`${key}=`));
  if (present || value === '') return cmdline;
  return cmdline ? `${cmdline} ${key}=${value}` : `${key}=${value}`;
}
