/**
 * One handler per channel. A handler receives its input already parsed by the channel's schema
 * (dispatch() does that) and calls a service; it never sees raw input.
 */
import { parseLab } from '../../shared-sim/src/index';
import type { ChannelName, ParsedInputOf, ResultOf } from './contract';
import type { MaybePromise, PodpathServices, ServiceResult } from './services';

export type Handler<C extends ChannelName> = (
  input: ParsedInputOf<C>,
  services: PodpathServices,
) => MaybePromise<ServiceResult<ResultOf<C>>>;

export type Handlers = { readonly [C in ChannelName]: Handler<C> };

export const handlers: Handlers = {
  'labs:list': (_input, s) => s.labs.list(),
  'labs:get': ({ id }, s) => s.labs.get(id),
  'labs:create': ({ name, document }, s) => s.labs.create(name, document),
  'labs:save': ({ id, document }, s) => s.labs.save(id, document),
  'labs:autosave': ({ id, document }, s) => s.labs.autosave(id, document),
  'labs:rename': ({ id, name }, s) => s.labs.rename(id, name),
  'labs:delete': ({ id }, s) => s.labs.delete(id),
  'labs:revisions': ({ id }, s) => s.labs.revisions(id),
  'labs:restore': ({ id, revision }, s) => s.labs.restore(id, revision),
  'labs:importYaml': ({ id, text }, s) => s.labs.importYaml(id, text),
  'labs:exportYaml': ({ id }, s) => s.labs.exportYaml(id),
  'settings:get': (_input, s) => s.settings.get(),
  'settings:set': ({ key, value }, s) => s.settings.set(key, value),
  'files:recent': (_input, s) => s.files.recent(),
  'files:importLab': (input, s) => s.files.importLab(input),
  'files:exportLab': (input, s) =>
    s.files.exportLab(
      input.id,
      input.kind === 'path' ? { kind: 'path', path: input.path } : { kind: 'text' },
    ),
  'sim:validate': ({ document }) => {
    const parsed = parseLab(document);
    const problems = parsed.ok ? parsed.warnings : parsed.problems;
    return { ok: true, value: { valid: parsed.ok, problems } };
  },
};
