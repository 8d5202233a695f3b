// https://spec.matrix.org/v1.19/client-server-api/#device-management
import { Errors, devices } from '@parley/spec';
import type { ApiRouter, Requester } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { STAGE } from '../../accounts/uia.js';

export function registerDevices(router: ApiRouter, s: ServerContext): void {
  const { sessions, uia } = s.accounts;

  const deleteBehindUia = async (requester: Requester, auth: Parameters<typeof uia.authenticate>[0]['auth'], deviceIds: string[]) => {
    const { session } = await uia.authenticate({ operation: 'delete_devices', userId: requester.userId, flows: [[STAGE.password]], auth });
    await sessions.deleteDevices(requester.userId, deviceIds);
    await uia.finish(session);
  };

  router.bind(devices.getDevices, async ({ requester }) => ({ devices: await sessions.listDevices(requester.userId) }));

  router.bind(devices.getDevice, async ({ requester, params }) => {
    const device = await sessions.getDevice(requester.userId, params.deviceId);
    if (!device) throw Errors.notFound('Unknown device');
    return device;
  });

  router.bind(devices.updateDevice, async ({ requester, params, body }) => {
    const device = await sessions.getDevice(requester.userId, params.deviceId);
    if (!device) throw Errors.notFound('Unknown device');
    if (body.display_name !== undefined) await sessions.renameDevice(requester.userId, params.deviceId, body.display_name);
    return {};
  });

  router.bind(devices.deleteDevice, async ({ requester, params, body }) => {
    if (!(await sessions.getDevice(requester.userId, params.deviceId))) throw Errors.notFound('Unknown device');
    await deleteBehindUia(requester, body.auth, [params.deviceId]);
    return {};
  });

  router.bind(devices.deleteDevices, async ({ requester, body }) => {
    await deleteBehindUia(requester, body.auth, body.devices);
    return {};
  });
}
