import { SaxesParser } from 'saxes';

/** An element with its attributes, its own text (children's text not included) and its child elements, in order. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/** An answer that is not well-formed XML, or not InboundXML. */
export class InboundXmlError extends Error {
  override readonly name = 'InboundXmlError';
}

/** Reads a whole XML document (strict XML 1.0: well-formed or an error), keeping element order and nesting. */
export function readXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, text: '', children: [] };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root ??= element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (chunk: string): void => {
    const current = stack.at(-1);
    if (current) current.text += chunk;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(text.replace(/^\uFEFF/, '')).close();
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
  }
  if (failure) throw new InboundXmlError(`The answer is not well-formed XML: ${failure.message}`);
  if (!root) throw new InboundXmlError('The answer holds no XML element');
  return root;
}
