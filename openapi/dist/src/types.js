export const httpMethods = ['get', 'put', 'post', 'delete', 'patch'];
//# sourceMappingURL=types.js.map