import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The example form values of every template under `templatesDir`
 * (`<template>/example-values.yaml`), by template directory name. The module's dry-run tests
 * and the lab's end-to-end test send them through the scaffolder API.
 *
 * @public
 */
export function loadTemplateExamples(
  templatesDir: string,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    fs
      .readdirSync(templatesDir)
      .filter(d =>
        fs.existsSync(path.join(templatesDir, d, 'example-values.yaml')),
      )
      .sort()
      .map(d => [
        d,
        parse(
          fs.readFileSync(
            path.join(templatesDir, d, 'example-values.yaml'),
            'utf8',
          ),
        ),
      ]),
  );
}
