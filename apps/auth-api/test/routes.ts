import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface RouteEntry {
  method: string;
  /** Fastify/Nest path syntax: `/v1/account/sessions/:sessionId` */
  path: string;
  /** `Controller.method` */
  handler: string;
  controller: new (...args: never[]) => unknown;
  name: string;
}

/** Every route of the application, read from the controllers Nest registered (one entry per path alias). */
export function enumerateRoutes(app: NestFastifyApplication): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (name === 'constructor' || typeof fn !== 'function' || Reflect.getMetadata(PATH_METADATA, fn) === undefined) continue;
        const paths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, fn));
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
        for (const prefix of prefixes) {
          for (const p of paths) {
            const path = `/${[prefix, p].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
            routes.push({ method, path, handler: `${controller.name}.${name}`, controller, name });
          }
        }
      }
    }
  }
  return routes;
}
