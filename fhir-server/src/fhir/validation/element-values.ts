import { fhirTypeToJsType } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { ElementIndex } from '../../definitions/element-index';
import { isPlainObject, isPrimitive, walkElements, type LeafVisitor, type ObjectVisitor, type PropertyVisitor } from './element-walk';

/** Control characters a FHIR string may not hold: all below U+0020 but tab, line feed, carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is what it is for
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** A dateTime's time with no zone: the validator's pattern lets it through, R4's does not (datatypes.html#dateTime). */
const DATE_TIME_WITHOUT_ZONE = /T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * Element values the @medplum/core validator lets through: an array where one value belongs or
 * the reverse, an object, array or wrong JSON type where a primitive belongs (`"code": {}`), a
 * non-object where a complex type belongs, empty strings (json.html: no empty values), control
 * characters (datatypes.html#string), numbers beyond a double and dateTimes whose time has no zone. Each is a definite issue
 * naming the element; before this check such values reached search index extraction (a 500) or
 * PostgreSQL, which cannot store `\u0000`.
 */
export function elementValueIssues(resource: Resource, index: ElementIndex): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  walkElements(resource, index, elementValueCheck(issues), arrayShapeCheck(issues), objectShapeCheck(index, issues));
  return issues;
}

/** The checks of each JSON object's own keys: choice elements and primitives' `_x` companions. */
export function objectShapeCheck(index: ElementIndex, issues: OperationOutcomeIssue[]): ObjectVisitor {
  const choices = choiceValueCheck(index, issues);
  const extensions = primitiveExtensionCheck(index, issues);
  return (node, definitionPath, expression) => {
    choices(node, definitionPath, expression);
    extensions(node, definitionPath, expression);
  };
}

/**
 * A choice element (`value[x]`) has at most one value, of one of its types. The structure
 * validator checks neither once one valid typed property is there: `valueString` with
 * `valueBoolean`, or with `valueBogus`, passed it.
 */
function choiceValueCheck(index: ElementIndex, issues: OperationOutcomeIssue[]): ObjectVisitor {
  return (node, definitionPath, expression) => {
    let given: Map<string, string> | undefined;
    for (const key in node) {
      if (!/[A-Z]/.test(key) || key.charCodeAt(0) === 95 /* _ */) {
        continue; // a typed choice property has a capital (valueQuantity); `_value...` is its extension
      }
      const info = index.element(`${definitionPath}.${key}`);
      if (!info) {
        const choice = choiceNamed(index, definitionPath, key);
        if (choice) {
          issues.push(issue('structure', `${key} is not one of the types of ${choice}[x]`, `${expression}.${key}`));
        }
        continue;
      }
      if (info.choice) {
        given ??= new Map();
        const first = given.get(info.choice);
        if (first) {
          issues.push(
            issue('structure', `${info.choice}[x] has one value at most: ${first} and ${key} are both given`, `${expression}.${key}`),
          );
        } else {
          given.set(info.choice, key);
        }
      }
    }
  };
}

/** The choice element an unknown property is named after (`valueBogus` -> `value`), if any. */
function choiceNamed(index: ElementIndex, definitionPath: string, key: string): string | undefined {
  let prefix = '';
  for (const part of key.split(/(?=[A-Z])/)) {
    prefix += part;
    if (prefix !== key && index.element(`${definitionPath}.${prefix}[x]`)) {
      return prefix;
    }
  }
  return undefined;
}

/**
 * A primitive's `_x` companion (json.html#primitive: its id and extensions) is a JSON object, or
 * for a repeating element an array of objects and nulls. On other shapes the structure
 * validator throws a plain Error (`_gender: "x"`) or lets them through (`_given: {}`).
 */
function primitiveExtensionCheck(index: ElementIndex, issues: OperationOutcomeIssue[]): ObjectVisitor {
  return (node, definitionPath, expression) => {
    for (const key in node) {
      if (key.charCodeAt(0) !== 95 /* _ */) {
        continue;
      }
      const element = index.element(`${definitionPath}.${key.slice(1)}`);
      if (!element) {
        continue; // an unknown element, which the structure validator reports
      }
      const value = node[key];
      const repeats = element.max !== '0' && element.max !== '1';
      if (repeats ? !Array.isArray(value) || !value.every((item) => item === null || isPlainObject(item)) : !isPlainObject(value)) {
        const shape = repeats ? 'a JSON array of objects and nulls' : 'a JSON object';
        issues.push(
          issue('structure', `${expression}.${key} must be ${shape}: the id and extensions of ${key.slice(1)}`, `${expression}.${key}`),
        );
      }
    }
  };
}

/** A repeating element's value is a JSON array, any other element's value is not an array. */
export function arrayShapeCheck(issues: OperationOutcomeIssue[]): PropertyVisitor {
  return (value, repeats, parent, key) => {
    if (repeats !== Array.isArray(value)) {
      const expression = `${parent}.${key}`;
      issues.push(
        issue(
          'structure',
          repeats ? `${expression} must be a JSON array` : `${expression} repeats at most once: not a JSON array`,
          expression,
        ),
      );
    }
  };
}

/** The check of elementValueIssues for one element value, to run in a walk shared with other checks. */
export function elementValueCheck(issues: OperationOutcomeIssue[]): LeafVisitor {
  return (value, element, expression) => {
    // null stands for a primitive whose extensions alone are given (`_given`), in arrays.
    if (value === null && expression.endsWith(']')) {
      return;
    }
    if (!isPrimitive(element)) {
      issues.push(issue('structure', `${expression} must be a JSON object (FHIR ${element.types.join(' | ')})`, expression));
      return;
    }
    const type = element.types[0];
    const jsType =
      (fhirTypeToJsType as Record<string, string | undefined>)[type] ??
      (type.startsWith('http://hl7.org/fhirpath/System.') ? 'string' : undefined);
    if (jsType !== undefined && typeof value !== jsType) {
      issues.push(issue('structure', `${expression} must be a JSON ${jsType} (FHIR ${type})`, expression));
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      issues.push(issue('value', `${expression} is beyond the range of a number`, expression));
    } else if (typeof value === 'string' && value.trim() === '') {
      issues.push(issue('value', `${expression} must not be empty`, expression));
    } else if (typeof value === 'string' && CONTROL_CHARACTERS.test(value)) {
      issues.push(issue('value', `${expression} holds a control character`, expression));
    } else if (type === 'dateTime' && typeof value === 'string' && DATE_TIME_WITHOUT_ZONE.test(value)) {
      issues.push(
        issue('value', `${expression} has a time but no time zone (Z or +hh:mm), which a dateTime with a time must have`, expression),
      );
    }
  };
}

function issue(code: 'structure' | 'value', diagnostics: string, expression: string): OperationOutcomeIssue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}
