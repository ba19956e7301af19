// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gunyah hypervisor driver.
 *
 * Binds to the hypervisor's device-tree node, checks that the hypervisor
 * really is Gunyah (vendor-hyp UID) with a supported API (hyp_identify),
 * and creates the platform devices of its children, among them the
 * Resource Manager.
 *
 * Two forms of the node exist: the upstream binding ("gunyah-hypervisor")
 * and the node that the open-source Resource Manager generates for its
 * host ("qcom,gunyah-hypervisor", also a "simple-bus", so its children
 * may have been populated already at boot).  Both are accepted; children
 * that need the hypervisor must wait for this driver with
 * gunyah_hypervisor_ready().
 */
#include <linux/gunyah.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>

#include "gunyah_core.h"

static struct gunyah_hypercall_hyp_identify_resp gunyah_api;
static bool gunyah_api_valid;

/**
 * gunyah_hypervisor_ready() - whether the hypervisor has been identified
 *
 * Return: true once the hypervisor driver has bound and checked the API;
 * drivers of child devices return -EPROBE_DEFER until then.
 */
bool gunyah_hypervisor_ready(void)
{
	/* Pairs with the release in gunyah_probe(): gunyah_api is complete. */
	return smp_load_acquire(&gunyah_api_valid);
}
EXPORT_SYMBOL_GPL(gunyah_hypervisor_ready);

/**
 * gunyah_api_has_feature() - whether the hypervisor advertises a feature
 * @feature: feature bit of API flags 0
 *
 * Return: true if gunyah_hypervisor_ready() and the feature bit is set.
 */
bool gunyah_api_has_feature(enum gunyah_api_feature feature)
{
	return gunyah_hypervisor_ready() && (gunyah_api.flags[0] & BIT_ULL(feature));
}
EXPORT_SYMBOL_GPL(gunyah_api_has_feature);

static ssize_t api_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", gunyah_api_version(&gunyah_api));
}
static DEVICE_ATTR_RO(api_version);

static ssize_t variant_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%02llx\n",
			  FIELD_GET(GUNYAH_API_INFO_VARIANT_MASK, gunyah_api.api_info));
}
static DEVICE_ATTR_RO(variant);

static ssize_t features_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%016llx\n", gunyah_api.flags[0]);
}
static DEVICE_ATTR_RO(features);

static struct attribute *gunyah_attrs[] = {
	&dev_attr_api_version.attr,
	&dev_attr_variant.attr,
	&dev_attr_features.attr,
	NULL
};
ATTRIBUTE_GROUPS(gunyah);

static void gunyah_clear_ready(void *unused)
{
	/* Pairs with the acquire in gunyah_hypervisor_ready(). */
	smp_store_release(&gunyah_api_valid, false);
}

static int gunyah_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct gunyah_hypercall_hyp_identify_resp ident;
	int ret;

	if (!arch_is_gunyah_guest())
		return dev_err_probe(dev, -ENODEV, "the hypervisor is not Gunyah\n");

	gunyah_hypercall_hyp_identify(&ident);
	if (gunyah_api_version(&ident) != GUNYAH_API_V1)
		return dev_err_probe(dev, -ENODEV, "unsupported Gunyah API version %u\n",
				     gunyah_api_version(&ident));
	if (!(ident.api_info & GUNYAH_API_INFO_IS_64BIT) ||
	    (ident.api_info & GUNYAH_API_INFO_BIG_ENDIAN))
		return dev_err_probe(dev, -ENODEV, "unsupported Gunyah API flavour %#llx\n",
				     ident.api_info);

	gunyah_api = ident;
	/* Publish gunyah_api before the flag; see gunyah_hypervisor_ready(). */
	smp_store_release(&gunyah_api_valid, true);
	ret = devm_add_action_or_reset(dev, gunyah_clear_ready, NULL);
	if (ret)
		return ret;

	dev_info(dev, "Gunyah API v%u, variant %#llx, features %#llx%s%s%s%s%s\n",
		 gunyah_api_version(&ident), FIELD_GET(GUNYAH_API_INFO_VARIANT_MASK,
						       ident.api_info),
		 ident.flags[0],
		 gunyah_api_has_feature(GUNYAH_FEATURE_DOORBELL) ? " doorbell" : "",
		 gunyah_api_has_feature(GUNYAH_FEATURE_MSGQUEUE) ? " msgqueue" : "",
		 gunyah_api_has_feature(GUNYAH_FEATURE_VCPU) ? " vcpu" : "",
		 gunyah_api_has_feature(GUNYAH_FEATURE_MEMEXTENT) ? " memextent" : "",
		 gunyah_api_has_feature(GUNYAH_FEATURE_VCPU_RUN) ? " vcpu_run" : "");

	ret = devm_of_platform_populate(dev);
	if (ret)
		return dev_err_probe(dev, ret, "cannot create the hypervisor's child devices\n");

	return 0;
}

static const struct of_device_id gunyah_of_match[] = {
	{ .compatible = "gunyah-hypervisor" },
	{ .compatible = "qcom,gunyah-hypervisor" },
	{}
};
MODULE_DEVICE_TABLE(of, gunyah_of_match);

static struct platform_driver gunyah_driver = {
	.probe = gunyah_probe,
	.driver = {
		.name = "gunyah",
		.of_match_table = gunyah_of_match,
		.suppress_bind_attrs = true,
		.dev_groups = gunyah_groups,
	},
};

static int __init gunyah_init(void)
{
	/*
	 * Without Gunyah underneath, nothing here can work: refuse to load
	 * rather than sit unbound.
	 */
	if (!arch_is_gunyah_guest()) {
		pr_info("gunyah: not running under the Gunyah hypervisor\n");
		return -ENODEV;
	}

	return platform_driver_register(&gunyah_driver);
}
module_init(gunyah_init);

static void __exit gunyah_exit(void)
{
	platform_driver_unregister(&gunyah_driver);
}
module_exit(gunyah_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Gunyah hypervisor driver");
