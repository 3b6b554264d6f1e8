import { apiRoute, queryObject, readJson } from '../handler.ts';
import { pageQuery } from '../../listing/pagination.ts';
import { imageCreate, imageListQuery, imageUpdate } from '../../images/schema.ts';
import { createImage, deleteImage, getImageOrThrow, listImages, updateImage } from '../../images/queries.ts';

export const listImagesRoute = apiRoute('viewer', async ({ url }) => {
  const q = queryObject(url);
  return listImages({ ...pageQuery.parse({ order: 'desc', ...q }), ...imageListQuery.parse(q) });
});
export const createImageRoute = apiRoute('operator', async ({ req, actor }) => createImage(actor, imageCreate.parse(await readJson(req))), { status: 201 });
export const getImageRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getImageOrThrow(params.id));
export const updateImageRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => updateImage(actor, params.id, imageUpdate.parse(await readJson(req))));
export const deleteImageRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => deleteImage(actor, params.id));
