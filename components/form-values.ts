// Reading a submitted form into the JSON the API takes: trimmed text (empty = not set, the API
// treats '' as null), comma/space separated lists, whole numbers, checkboxes.
export interface FormValues {
  text(name: string): string;
  list(name: string): string[];
  /** A whole number, or undefined when the box is empty (the server keeps its default). */
  int(name: string): number | undefined;
  checked(name: string): boolean;
}

export function readForm(form: HTMLFormElement): FormValues {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  return {
    text,
    list: (name) => text(name).split(/[\s,]+/).filter(Boolean),
    int: (name) => (text(name) === '' ? undefined : Number(text(name))),
    checked: (name) => data.get(name) === 'on',
  };
}
