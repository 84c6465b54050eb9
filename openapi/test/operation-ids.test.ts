import { expect, it } from 'vitest';
import { listOperations, loadSpec } from '../src/index.ts';

// `OperationId` (what faults and journal queries name) is written out in the spec so clients see the choices;
// this keeps it equal to the document's operations.
it('lists exactly the operations of the document in OperationId', () => {
  const doc = loadSpec();
  const listed = (doc.components.schemas.OperationId?.enum ?? []) as string[];
  expect([...listed].sort()).toEqual(
    listOperations(doc)
      .map((o) => o.operationId)
      .sort(),
  );
});
