import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { XMLValidator } from 'fast-xml-parser';
import { Parser } from 'htmlparser2';
import type { LeafVisitor } from './element-walk';

const XHTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/**
 * The basic HTML 4.0 formatting elements of narrative.html (chapters 7-11 but section 9.4,
 * chapter 15, links and images); not deprecated ones, scripts, forms, frames, objects or styles.
 */
const ELEMENTS = new Set(
  (
    'div span p br hr h1 h2 h3 h4 h5 h6 address bdo em strong dfn code samp kbd var cite abbr acronym blockquote q sub sup pre ' +
    'ul ol li dl dt dd table caption thead tfoot tbody colgroup col tr th td tt i b big small a img map area'
  ).split(' '),
);

/** The HTML 4.0 attributes of those elements, without event handlers (`onclick`) and deprecated presentation. */
const ATTRIBUTES = new Set(
  (
    'id class style title lang xml:lang dir href name hreflang type rel rev charset accesskey tabindex src alt longdesc ' +
    'height width usemap ismap border summary frame rules cellspacing cellpadding align valign char charoff span abbr ' +
    'axis headers scope rowspan colspan cite start value shape coords nohref'
  ).split(' '),
);

const URL_ATTRIBUTES = new Set(['href', 'src', 'longdesc', 'cite', 'usemap']);
const MAX_DEPTH = 100;
const NOT_ONE_DIV = `The narrative must be one <div xmlns="${XHTML_NAMESPACE}"> element`;

/**
 * Narrative.div values (type `xhtml`) as narrative.html requires them: one well-formed `div` in
 * the XHTML namespace (txt-1's elements and attributes only; no scripts, event handlers,
 * `javascript:` links or external style references), so that a portal can show it. An empty
 * div is let through (txt-2 asks for content): the clinician portal saves SOAP note drafts with
 * empty sections.
 */
export function narrativeCheck(issues: OperationOutcomeIssue[]): LeafVisitor {
  return (value, element, expression) => {
    if (element.types[0] === 'xhtml' && typeof value === 'string') {
      const problem = narrativeProblem(value);
      if (problem) {
        issues.push({ severity: 'error', code: 'invariant', diagnostics: problem, expression: [expression] });
      }
    }
  };
}

export function narrativeProblem(xhtml: string): string | undefined {
  const wellFormed = XMLValidator.validate(xhtml);
  if (wellFormed !== true) {
    return `The narrative is not well-formed XHTML: ${wellFormed.err.msg}`;
  }
  // Well-formed, so the parser's events follow the document as written. The first problem
  // stops it: its cost grows with the square of the nesting depth.
  let problem: string | undefined;
  let depth = 0;
  let roots = 0;
  const fail = (message: string | undefined) => {
    if (message && !problem) {
      problem = message;
      parser.pause();
    }
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (depth === 0) {
          roots++;
          const { xmlns, ...rest } = attributes;
          attributes = rest;
          fail(name !== 'div' || xmlns !== XHTML_NAMESPACE || roots > 1 ? NOT_ONE_DIV : undefined);
        }
        if (++depth > MAX_DEPTH) {
          fail(`The narrative nests elements deeper than ${MAX_DEPTH} levels`);
        }
        fail(elementProblem(name, attributes));
      },
      onclosetag() {
        depth--;
      },
      ontext(text) {
        fail(depth === 0 && text.trim() !== '' ? NOT_ONE_DIV : undefined);
      },
      onprocessinginstruction(name) {
        fail(`txt-1: <${name}> is not allowed in a narrative`);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xhtml);
  return problem ?? (roots === 0 ? NOT_ONE_DIV : undefined);
}

function elementProblem(name: string, attributes: Record<string, string>): string | undefined {
  if (!ELEMENTS.has(name)) {
    return `txt-1: <${name}> is not allowed in a narrative`;
  }
  for (const [attribute, value] of Object.entries(attributes)) {
    if (!ATTRIBUTES.has(attribute)) {
      return `txt-1: the attribute ${attribute} of <${name}> is not allowed in a narrative`;
    }
    if (URL_ATTRIBUTES.has(attribute) && !isSafeUrl(value, name === 'img' && attribute === 'src')) {
      return `txt-1: <${name} ${attribute}> may link only to http(s), mailto, tel or relative addresses`;
    }
    if (attribute === 'style' && /url\s*\(|expression\s*\(|@import/i.test(value)) {
      return `txt-1: the style of <${name}> may not reference external content`;
    }
  }
  return undefined;
}

function isSafeUrl(url: string, image: boolean): boolean {
  // Browsers ignore control characters and white space inside a scheme (`java\tscript:`).
  // eslint-disable-next-line no-control-regex -- they are what is stripped
  const compact = url.replace(/[\u0000-\u0020]/g, '').toLowerCase();
  if (/^[^/?#]*&/.test(compact)) {
    return false; // a named reference left in the scheme part (`javascript&colon;`), which an HTML parser decodes
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact)?.[1];
  return scheme === undefined || ['http', 'https', 'mailto', 'tel', 'urn'].includes(scheme) || (image && compact.startsWith('data:image/'));
}
