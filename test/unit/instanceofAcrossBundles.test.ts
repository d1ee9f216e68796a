import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';

// Commands run in their own bundle (dist/chunks/commands.js) with their own copy of the tree's node
// classes, and are handed nodes the tree made with the activation bundle's copy. `x instanceof
// TopicNode` there is true only when TopicNode is marked with recognisedAcrossBundles (see
// src/tree/nodes/TreeNode.ts); a forgotten mark does not fail, it silently falls back to the
// picker. This reads src/ with the TypeScript compiler and checks every such test has its mark.

// out/test/unit → the repository root.
const root = path.resolve(__dirname, '..', '..', '..');
const TREE = 'src/tree/';
interface InstanceofTest {
  /** The class tested, where it is declared. */
  className: string;
  declaredIn: string;
  declaration: ts.ClassLikeDeclaration;
  /** Where it is tested: file:line. */
  testedAt: string;
}

interface Mark {
  declaration: ts.ClassLikeDeclaration | undefined;
  /** The brand name, when given as a string literal. */
  name: string | undefined;
  at: string;
}

const relative = (file: string): string => path.relative(root, file).split(path.sep).join('/');

function where(node: ts.Node): string {
  const file = node.getSourceFile();
  return `${relative(file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
}

function srcProgram(): ts.Program {
  const configFile = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, { noEmit: true }, configFile);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

/** The class an expression names (through imports and re-exports), if it is one. */
function classOf(checker: ts.TypeChecker, expr: ts.Expression): ts.ClassLikeDeclaration | undefined {
  const at = ts.isPropertyAccessExpression(expr) ? expr.name : expr;
  let symbol = checker.getSymbolAtLocation(at);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return symbol?.declarations?.find((d): d is ts.ClassLikeDeclaration => ts.isClassDeclaration(d) || ts.isClassExpression(d));
}

/** `recognisedAcrossBundles(this, 'Name')` in a class's static block, or `recognisedAcrossBundles(SomeClass, 'Name')`. */
function markOf(checker: ts.TypeChecker, call: ts.CallExpression): Mark {
  const [target, name] = call.arguments;
  let declaration: ts.ClassLikeDeclaration | undefined;
  if (target && target.kind === ts.SyntaxKind.ThisKeyword) {
    const block = ts.findAncestor(call, ts.isClassStaticBlockDeclaration);
    declaration = block?.parent;
  } else if (target) {
    declaration = classOf(checker, target);
  }
  return { declaration, name: name && ts.isStringLiteralLike(name) ? name.text : undefined, at: where(call) };
}

function scan(): { tests: InstanceofTest[]; marks: Mark[] } {
  const program = srcProgram();
  const checker = program.getTypeChecker();
  const tests: InstanceofTest[] = [];
  const marks: Mark[] = [];
  for (const file of program.getSourceFiles()) {
    const name = relative(file.fileName);
    if (!name.startsWith('src/')) continue;
    const outsideTree = !name.startsWith(TREE);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'recognisedAcrossBundles') {
        marks.push(markOf(checker, node));
      }
      if (outsideTree && ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword) {
        const declaration = classOf(checker, node.right);
        const declaredIn = declaration && relative(declaration.getSourceFile().fileName);
        if (declaration && declaredIn!.startsWith(TREE)) {
          tests.push({
            className: declaration.name?.text ?? node.right.getText(),
            declaredIn: declaredIn!,
            declaration,
            testedAt: where(node),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return { tests, marks };
}

describe('Tree node classes tested with instanceof outside the tree', function () {
  this.timeout(120_000); // the compiler reads all of src/

  let found: { tests: InstanceofTest[]; marks: Mark[] };
  before(() => {
    found = scan();
  });

  it('are found (the scan sees the commands’ tests of tree nodes)', () => {
    assert.ok(found.tests.length > 0, 'no `instanceof` of a class under src/tree/ found outside it: the scan reads nothing');
    assert.ok(found.marks.length > 0, 'no recognisedAcrossBundles call found in src/');
  });

  it('are each recognised across bundles', () => {
    const marked = new Set(found.marks.map((m) => m.declaration));
    const unmarked = found.tests.filter((t) => !marked.has(t.declaration));
    assert.deepEqual(
      unmarked.map(
        (t) =>
          `${t.className} (${t.declaredIn}) is tested with instanceof at ${t.testedAt} but not marked: in the commands' bundle that ` +
          `test is false for the tree's nodes and the command falls back to its picker. Add ` +
          `\`static { recognisedAcrossBundles(this, '${t.className}'); }\` to the class.`,
      ),
      [],
    );
  });

  it('have unique brand names, given as string literals, on classes the compiler can name', () => {
    const problems: string[] = [];
    const byName = new Map<string, string[]>();
    for (const mark of found.marks) {
      if (!mark.declaration) problems.push(`${mark.at}: recognisedAcrossBundles must mark \`this\` in a class's static block, or a class`);
      if (mark.name === undefined) problems.push(`${mark.at}: the brand name must be a string literal (it must stay stable and unique)`);
      else byName.set(mark.name, [...(byName.get(mark.name) ?? []), mark.at]);
    }
    for (const [name, at] of byName) if (at.length > 1) problems.push(`brand name '${name}' is used ${at.length} times: ${at.join(', ')}`);
    assert.deepEqual(problems, []);
  });
});
